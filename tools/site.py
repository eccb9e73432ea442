"""Render the course to a static site in site/ with Jupyter Book, for reading without Jupyter.

    python tools/site.py [outdir]

The site has the book's navigation (a chapter list, previous/next links, a search box) and works
offline: nothing is executed (the committed outputs are shown), a static note stands in for each
live widget (the figure above it shows the default setting), and the pages load nothing from the
network.

Why Jupyter Book 1 (Sphinx) and not Jupyter Book 2 / MyST: MyST's ``myst build --html`` downloads
its book theme from api.mystmd.org on every fresh build, so it cannot build on a machine without
that host (tried with mystmd 1.8.3: ``getaddrinfo ENOTFOUND api.mystmd.org``). Jupyter Book 1's
theme is a PyPI package, so the whole site builds from the pinned requirements.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "build" / "site-src"  # the book's sources: notebooks with widgets replaced, config, table of contents

DOCS = ("instructor-guide.md", "jupyterhub.md")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ('<p class="static-widget-note"><em>A live widget is here when you run the notebook in JupyterLab; '
               'the figure above it shows its default setting.</em></p>')

CONFIG = """\
title: API Design Lab
author: the API Design Lab authors
only_build_toc_files: true
execute:
  execute_notebooks: "off"
html:
  home_page_in_navbar: true
  use_repository_button: false
sphinx:
  config:
    html_show_copyright: false
    html_last_updated_fmt: null
    nb_output_stderr: remove
parse:
  myst_enable_extensions: [colon_fence]  # no dollarmath: "$" in prose is money or shell, and MathJax would need a CDN
"""


def replace_widgets_with_a_note(nb) -> None:
    """Widget views need a kernel; on a static page they become a one-line note."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE}


def chapters() -> list[Path]:
    """Every notebook of the course, in order (00 is the start page)."""
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def table_of_contents(pages: list[str]) -> str:
    """Jupyter Book's _toc.yml: the first page is the root, the rest are chapters in order."""
    root, *rest = pages
    return "format: jb-book\nroot: " + root + "\nchapters:\n" + "".join(f"- file: {p}\n" for p in rest)


def write_sources() -> None:
    """The book's source folder: each notebook with its widgets replaced, plus the guide and the config."""
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    pages = []
    for path in chapters():
        nb = nbformat.read(path, as_version=4)
        replace_widgets_with_a_note(nb)
        nbformat.write(nb, SOURCE / path.name)
        pages.append(path.stem)
    for doc in DOCS:  # the instructor's pages, after the chapters (the student edition has no instructor guide)
        if not (ROOT / "docs" / doc).exists():
            continue
        shutil.copy(ROOT / "docs" / doc, SOURCE / doc)
        pages.append(Path(doc).stem)
    (SOURCE / "_config.yml").write_text(CONFIG)
    (SOURCE / "_toc.yml").write_text(table_of_contents(pages))


def link_notebooks_to_pages(html_dir: Path) -> None:
    """Links to ``X.ipynb`` left in outputs (HTML a notebook printed) point at the page ``X.html``."""
    names = {p.name for p in chapters()}
    pattern = re.compile(r'href="(?:\./)?([\w.-]+\.ipynb)(#[^"]*)?"')
    for page in html_dir.rglob("*.html"):
        text = page.read_text()
        fixed = pattern.sub(lambda m: f'href="{m.group(1)[:-6]}.html{m.group(2) or ""}"'
                            if m.group(1) in names else m.group(0), text)
        if fixed != text:
            page.write_text(fixed)


def main(outdir: Path) -> None:
    write_sources()
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jupyter_book), "build", "--quiet", str(SOURCE)], check=True)
    built = SOURCE / "_build" / "html"
    link_notebooks_to_pages(built)
    shutil.copytree(built, outdir, dirs_exist_ok=True)
    print(f"site: {len(chapters())} chapters -> {outdir}/index.html")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site")
