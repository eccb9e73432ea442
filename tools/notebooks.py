"""Notebook chores for authors and instructors: execute in place, strip widget state, clear outputs.

    python tools/notebooks.py execute notebooks/*.ipynb   # fresh kernel, top to bottom, outputs saved
    python tools/notebooks.py strip   notebooks/*.ipynb   # drop widget state from metadata
    python tools/notebooks.py clear   notebooks/*.ipynb   # remove outputs (nbval then has nothing to compare)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def strip_widget_state(nb) -> None:
    """Widget state is a snapshot of live models: big, noisy in diffs, and stale on GitHub."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def execute(path: Path) -> None:
    """Run a notebook top to bottom in a fresh kernel, in its own folder, and save the outputs."""
    nb = nbformat.read(path, as_version=4)
    # store_widget_state=True: nbclient 0.11 raises KeyError on Output-widget output (an
    # ``interactive`` panel's first draw) when it is False; the state is stripped right after.
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    strip_widget_state(nb)
    nbformat.write(nb, path)


def strip(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    strip_widget_state(nb)
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
    action = {"execute": execute, "strip": strip, "clear": clear}[command]
    for p in paths:
        print(f"{command}: {p}", flush=True)
        action(Path(p))
