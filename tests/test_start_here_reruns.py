"""Notebook 00's cells are safe to run again, as a learner does: twice through in one kernel, one server at a time."""

import nbformat
from nbclient import NotebookClient

from apidesign.paths import NOTEBOOKS

START, FIRST_POST, AFTER_POST = "b48e9e8c", "2137e366", "aca05231"  # cell ids
SERVING = "import threading\nprint(sum(t.name.startswith('apidesign-serve') for t in threading.enumerate()))"


def test_start_here_runs_twice_in_one_kernel_with_start_and_the_first_post_repeated():
    nb = nbformat.read(NOTEBOOKS / "00-start-here.ipynb", as_version=4)
    probe = nbformat.v4.new_code_cell(SERVING)
    nb.cells.append(probe)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    position = {c.id: i for i, c in enumerate(nb.cells)}
    code = [c for c in nb.cells[:-1] if c.cell_type == "code"]
    again = [c for c in code for _ in range(2 if c.id in (START, FIRST_POST) else 1)]

    def run(cell):
        client.execute_cell(cell, position[cell.id])  # raises CellExecutionError on an error
        return "".join(o.get("text", "") for o in cell.outputs)

    with client.setup_kernel():
        for cell in code:
            run(cell)
        for cell in again:
            printed = run(cell)
            if cell.id == START:
                assert run(probe).strip() == "1", "a re-run of the start cell leaves one server running"
            if cell.id == AFTER_POST:
                assert "409" in printed and "Alice uses that channel" in printed, printed
        assert run(probe).strip() == "0", "the notebook stops every server it starts"
