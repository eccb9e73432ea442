"""Run the course in Colab or on Binder: one place holds its published address, this tool writes it everywhere.

    python tools/badges.py                                          # make badges
    python tools/badges.py --repo https://github.com/OWNER/NAME     # make badges REPO=https://github.com/OWNER/NAME

The address lives in ``pyproject.toml``, as ``[project.urls] Repository``, absent until the course is
published. ``--repo`` writes it there first; then, from it:

* every notebook in ``notebooks/`` gets the setup cell (``SETUP``) as its first code cell, right after
  its title: inserted where it is missing (a new chapter gets it from the same command), its address
  brought up to date where it is there. Nothing else in the notebook changes, and a second run
  changes nothing at all;
* the README's block between ``BEGIN`` and ``END`` lists each notebook with an "Open in Colab" and a
  "launch Binder" badge, or, with no address yet, says how to set one: no badge points at an
  address nobody has set.

The setup cell does nothing where the course is installed. Elsewhere (Colab) it clones the
course, puts its ``lib/`` on ``sys.path`` and lets ``apidesign.bootstrap.finish`` do the rest.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
README = ROOT / "README.md"
NOTEBOOKS = ROOT / "notebooks"

CELL_ID = "course-setup"
# remove-cell: the static site (Jupyter Book) leaves the cell out; it is for running, not reading.
CELL_METADATA = {"tags": ["course-setup", "remove-cell"], "slideshow": {"slide_type": "skip"}}
GITHUB = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?")
BEGIN = "<!-- badges: written by `make badges` (tools/badges.py) -->"
END = "<!-- /badges -->"

SETUP = '''\
# Where the course is installed (make lab, Binder, a hub) this cell does nothing. Anywhere else, Colab for one,
# it fetches the course from the address below and installs what the notebook needs.
import importlib.util

if importlib.util.find_spec("apidesign") is None:
    import subprocess
    import sys
    from pathlib import Path

    REPOSITORY = {repository}  # written by `make badges REPO=...`
    if not REPOSITORY:
        raise RuntimeError("This notebook runs outside the API Design Lab folder, and the course has no published "
                           "address yet. Open it from the course folder (make lab), or publish the course on GitHub "
                           "and run: make badges REPO=https://github.com/OWNER/NAME")
    course = Path(REPOSITORY.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]).resolve()
    if not course.exists():
        subprocess.run(["git", "clone", "--depth", "1", "--quiet", REPOSITORY, str(course)], check=True)
    sys.path.insert(0, str(course / "lib"))
    from apidesign.bootstrap import finish

    finish(course)'''


def setup_source(repository: str) -> str:
    return SETUP.format(repository=json.dumps(repository))


# -- the one place: pyproject.toml --------------------------------------------------------------

def repository(pyproject: Path = PYPROJECT) -> str:
    """The published address, or "" while there is none."""
    return tomllib.loads(pyproject.read_text())["project"].get("urls", {}).get("Repository", "")


def github(url: str) -> tuple[str, str]:
    """(owner, name) of a GitHub repository's address; Colab opens notebooks from GitHub only."""
    match = GITHUB.fullmatch(url)
    if not match:
        raise SystemExit(f"not a GitHub repository address: {url!r} (expected https://github.com/OWNER/NAME)")
    return match.group(1), match.group(2)


def set_repository(url: str, pyproject: Path = PYPROJECT) -> None:
    """Write ``[project.urls] Repository`` (replacing it, or adding the table after ``[project]``)."""
    text = pyproject.read_text()
    line = f'Repository = "{url}"'
    if re.search(r"(?m)^Repository = .*$", text):
        text = re.sub(r"(?m)^Repository = .*$", line, text)
    else:
        after_project = re.search(r"(?m)^\[project\]\n(?:(?!\[).*\n|\n)*", text)
        text = text[:after_project.end()] + f"[project.urls]\n{line}\n\n" + text[after_project.end():]
    pyproject.write_text(text)


# -- the notebooks --------------------------------------------------------------------------------

def setup_cell(nb):
    """The notebook's setup cell, or None."""
    return next((c for c in nb.cells if c.get("id") == CELL_ID), None)


def with_setup_cell(nb, repo: str) -> bool:
    """Give ``nb`` its setup cell for ``repo`` (after the title); True when that changed the notebook."""
    source, cell = setup_source(repo), setup_cell(nb)
    if cell is not None:
        changed = cell.source != source
        cell.source = source
        return changed
    cell = nbformat.v4.new_code_cell(source, id=CELL_ID, metadata=dict(CELL_METADATA))
    title = nb.cells and nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    nb.cells.insert(1 if title else 0, cell)
    return True


def update_notebooks(repo: str, folder: Path = NOTEBOOKS) -> list[Path]:
    """Every notebook of the course with its setup cell; returns the ones written."""
    written = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if with_setup_cell(nb, repo):
            nbformat.write(nb, path)
            written.append(path)
    return written


# -- the README -----------------------------------------------------------------------------------

def colab_url(owner: str, name: str, notebook: str, branch: str = "main") -> str:
    return f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/notebooks/{notebook}"


def binder_url(owner: str, name: str, notebook: str, branch: str = "main") -> str:
    """mybinder.org builds the branch, then opens the notebook in JupyterLab (``urlpath=lab/tree/...``)."""
    return f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath={quote(f'lab/tree/notebooks/{notebook}')}"


def badge_block(repo: str, notebooks: list[str]) -> str:
    """The README's block: a badge table for a published course, or how to publish it."""
    if not repo:
        return ("The course has no published address yet, so there are no Colab or Binder links. Once it is on "
                "GitHub, run\n`make badges REPO=https://github.com/OWNER/NAME` and commit: that writes the address "
                "into `pyproject.toml`\n(`[project.urls] Repository`), a Colab and a Binder badge for each notebook "
                "here, and the address into\nevery notebook's first code cell, which fetches the course when the "
                "notebook runs anywhere else.")
    owner, name = github(repo)
    rows = [f"| `{nb[:-6]}` | [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(owner, name, nb)}) | [![launch Binder](https://mybinder.org/badge_logo.svg)]"
            f"({binder_url(owner, name, nb)}) |" for nb in notebooks]
    return "\n".join(["| notebook | Colab | Binder |", "|---|---|---|", *rows])


def update_readme(repo: str, readme: Path = README, folder: Path = NOTEBOOKS) -> bool:
    text = readme.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    block = "\n" + badge_block(repo, sorted(p.name for p in folder.glob("*.ipynb"))) + "\n"
    readme.write_text(text[:start] + block + text[end:])
    return text[start:end] != block


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repo", help="the course's address on GitHub: https://github.com/OWNER/NAME")
    args = parser.parse_args(argv)
    if args.repo:
        owner, name = github(args.repo)
        set_repository(f"https://github.com/{owner}/{name}")
    repo = repository()
    written = update_notebooks(repo)
    readme = update_readme(repo)
    print(f"address: {repo or '(none yet)'}; setup cell written in {len(written)} notebook(s); "
          f"README badges {'updated' if readme else 'unchanged'}")


if __name__ == "__main__":
    main(sys.argv[1:])
