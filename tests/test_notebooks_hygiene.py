"""Committed notebooks read well on GitHub and stay honest under nbval."""

import json

import pytest

from apidesign.paths import NOTEBOOKS

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_the_course_has_a_start_here_notebook():
    assert (NOTEBOOKS / "00-start-here.ipynb") in NOTEBOOK_FILES


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_no_widget_state_in_metadata(path):
    assert "widgets" not in load(path)["metadata"], "strip widget state: make strip"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_no_committed_error_outputs(path):
    for cell in code_cells(load(path)):
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        assert not errors, f"error output committed in cell: {''.join(cell['source'])[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_outputs_are_committed_and_in_execution_order(path):
    cells = code_cells(load(path))
    counts = [c["execution_count"] for c in cells]
    assert all(counts), "every code cell was executed before committing (make execute)"
    assert counts == list(range(1, len(cells) + 1)), "outputs come from one top-to-bottom run in a fresh kernel"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebook_uses_the_course_kernel(path):
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"
