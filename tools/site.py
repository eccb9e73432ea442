"""Render the course to static HTML under site/, for reading without Jupyter.

    python tools/site.py [outdir]

Uses the committed outputs (nothing is executed), the static default plots stand in for
live widgets, and the pages load nothing from the network (see templates/offline).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = Path(__file__).resolve().parent / "templates"


def title_and_promise(nb) -> tuple[str, str]:
    """The notebook's H1 title and the first paragraph after it."""
    first = next(c for c in nb.cells if c.cell_type == "markdown").source.splitlines()
    title = first[0].lstrip("# ").strip()
    promise = next((line for line in first[1:] if line.strip()), "")
    return title, promise.replace("**", "")


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ('<p class="static-widget-note"><em>A live widget is here when you run the notebook in JupyterLab; '
               'the figure above it shows its default setting.</em></p>')


def replace_widgets_with_a_note(nb) -> None:
    """Widget views need a kernel; on a static page they become a one-line note."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE}


def render(path: Path, outdir: Path) -> tuple[str, str, str]:
    nb = nbformat.read(path, as_version=4)
    replace_widgets_with_a_note(nb)
    exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
    body, _ = exporter.from_notebook_node(nb)
    target = outdir / f"{path.stem}.html"
    target.write_text(body)
    return (target.name, *title_and_promise(nb))


def index_page(entries) -> str:
    items = "\n".join(f'<li><a href="{href}">{html.escape(title)}</a><br><span>{html.escape(promise)}</span></li>'
                      for href, title, promise in entries)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API Design Lab</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;line-height:1.5;padding:0 1rem}}
li{{margin:1rem 0}} span{{color:#555}}</style></head>
<body><h1>API Design Lab</h1>
<p>The course rendered from its committed notebooks. To run the code and use the widgets, clone the repository and run <code>make lab</code>.</p>
<ol>
{items}
</ol></body></html>
"""


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    entries = [render(p, outdir) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    (outdir / "index.html").write_text(index_page(entries))
    print(f"site: {len(entries)} chapters -> {outdir}/index.html")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site")
