"""Notebook chores for authors and instructors: execute in place, strip widget state, clear outputs.

    python tools/notebooks.py execute notebooks/*.ipynb   # fresh kernel, top to bottom, outputs saved
    python tools/notebooks.py strip   notebooks/*.ipynb   # drop widget state from metadata
    python tools/notebooks.py clear   notebooks/*.ipynb   # remove outputs (nbval then has nothing to compare)
    python tools/notebooks.py slides  notebooks/*.ipynb   # set slide metadata from headings and `slides` tags
    python tools/notebooks.py reset   notebooks/03-rate-limiting.ipynb   # exercises back to `...`, notes kept
    python tools/notebooks.py placeholders notebooks/*.ipynb             # keep each exercise's shipped source in it
"""

from __future__ import annotations

import re
import ast
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def strip_widget_state(nb) -> None:
    """Widget state is a snapshot of live models: big, noisy in diffs, and stale on GitHub."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def slide_type(cell) -> str:
    """Headings start slides (# and ## a slide, ### a sub-slide); cells tagged `slides` are shown; the rest skipped."""
    first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "markdown" else ""
    if first.startswith(("# ", "## ")):
        return "slide"
    if first.startswith("### "):
        return "subslide"
    return "fragment" if "slides" in cell.metadata.get("tags", []) else "skip"


def mark_slides(nb) -> None:
    """Instructors get short decks: only headings and the cells an author tagged `slides`."""
    for cell in nb.cells:
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell)}


def execute(path: Path) -> None:
    """Run a notebook top to bottom in a fresh kernel, in its own folder, and save the outputs."""
    nb = nbformat.read(path, as_version=4)
    # store_widget_state=True: nbclient 0.11 raises KeyError on Output-widget output (an
    # ``interactive`` panel's first draw) when it is False; the state is stripped right after.
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    strip_widget_state(nb)
    mark_slides(nb)
    mark_placeholders(nb)
    nbformat.write(nb, path)


def strip(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    strip_widget_state(nb)
    nbformat.write(nb, path)


def slides(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    mark_slides(nb)
    nbformat.write(nb, path)


# A call of a check on the exercise module, under the names the notebooks import it as (``exercises``, ``ex``);
# a library function that happens to be called check_..., such as ``show(jwt.claims.check_audience)``, is no exercise.
EXERCISE_CALL = re.compile(r"(?<![\w.])(exercises|ex)\.check_\w+\(")


def is_exercise(cell) -> bool:
    """An exercise cell: a code cell tagged ``exercise``, or one that calls ``exercises.check_...(answer)``."""
    return cell.cell_type == "code" and ("exercise" in cell.metadata.get("tags", [])
                                         or EXERCISE_CALL.search(cell.source) is not None)


def answer_names(source: str) -> list[str]:
    """The names an exercise cell passes to its check (``exercises.check_x(status, location)``: status, location)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return []
    call = body[-1].value if body and isinstance(body[-1], ast.Expr) else None
    if not isinstance(call, ast.Call):
        return []
    return [a.id for a in call.args if isinstance(a, ast.Name)]


def placeholder(cell) -> str:
    """The exercise cell as the student edition ships it: kept in the cell's metadata by ``mark_placeholders``.

    A cell without it (a notebook from before placeholders were kept) that still holds a ``...`` is
    taken as shipped; one that holds none is rebuilt from its own structure: each answer the check
    is given becomes ``name = ...``, followed by the check.
    """
    kept = cell.metadata.get("exercise", {}).get("placeholder")
    if kept is not None:
        return kept
    if "..." in cell.source:
        return cell.source
    names = answer_names(cell.source)
    check = next(line for line in reversed(cell.source.splitlines()) if EXERCISE_CALL.search(line))
    return "\n".join([*(f"{name} = ..." for name in names), check])


def mark_placeholders(nb) -> None:
    """Keep each exercise cell's shipped source in its metadata, so a reset needs no git and no download."""
    for cell in nb.cells:
        if is_exercise(cell) and "..." in cell.source:
            cell.metadata.setdefault("exercise", {})["placeholder"] = cell.source


def reset(path: Path) -> None:
    """Put every exercise cell back as shipped (answers become `...` again, from the placeholder each
    cell carries); every other cell, and any cell the learner added, stays as it is."""
    nb = nbformat.read(path, as_version=4)
    restored = 0
    for cell in nb.cells:
        if is_exercise(cell) and cell.source != placeholder(cell):
            cell.source, cell.outputs, cell.execution_count = placeholder(cell), [], None
            restored += 1
    nbformat.write(nb, path)
    print(f"  {restored} exercise cell(s) reset")


def placeholders(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    mark_placeholders(nb)
    nbformat.write(nb, path)


def clear(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    strip_widget_state(nb)
    nbformat.write(nb, path)


if __name__ == "__main__":
    command, *paths = sys.argv[1:]
    action = {"execute": execute, "strip": strip, "clear": clear, "slides": slides, "reset": reset,
              "placeholders": placeholders}[command]
    for p in paths:
        print(f"{command}: {p}", flush=True)
        action(Path(p))
