"""The authoring tools: slide metadata rules and the offline static site."""

import importlib.util

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from apidesign.paths import NOTEBOOKS, ROOT


def load_tool(name):
    spec = importlib.util.spec_from_file_location(f"tool_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nbtools = load_tool("notebooks")


def test_slides_are_headings_plus_tagged_cells_only():
    nb = new_notebook(cells=[new_markdown_cell("# Title"), new_markdown_cell("## Part"), new_markdown_cell("### Sub"),
                             new_markdown_cell("prose"), new_code_cell("x = 1"),
                             new_code_cell("show()", metadata={"tags": ["slides"]})])
    nbtools.mark_slides(nb)
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == [
        "slide", "slide", "subslide", "skip", "skip", "fragment"]


def test_committed_notebooks_carry_slide_metadata_from_the_rule():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        expected = [nbtools.slide_type(c) for c in nb.cells]
        assert [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells] == expected, path.name


def test_site_replaces_widgets_with_a_note_and_loads_nothing_remote(tmp_path):
    load_tool("site").main(tmp_path)
    page = (tmp_path / "00-start-here.html").read_text()
    assert "static-widget-note" in page
    assert 'src="http' not in page and "cdnjs" not in page and "unpkg" not in page
    assert (tmp_path / "index.html").exists()


def test_exercise_cells_are_checks_on_the_exercise_module_not_any_check_function():
    assert nbtools.is_exercise(new_code_cell("answer = ...\nexercises.check_routes(answer)"))
    assert nbtools.is_exercise(new_code_cell("status_codes = ...\nex.check_status_codes(status_codes)"))
    assert nbtools.is_exercise(new_code_cell("design = ...", metadata={"tags": ["exercise"]}))
    assert not nbtools.is_exercise(new_code_cell("show(jwt.claims.check_audience)"))
    assert not nbtools.is_exercise(new_code_cell("jwt.claims.check_times(payload, now, 0)"))
    assert not nbtools.is_exercise(new_markdown_cell("Call `exercises.check_routes(answer)`."))


def test_every_committed_exercise_cell_is_found_and_holds_a_placeholder():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = [c for c in nbformat.read(path, as_version=4).cells if nbtools.is_exercise(c)]
        assert cells, path.name
        for cell in cells:
            assert "..." in cell.source, (path.name, cell.source)


def test_reset_puts_answers_back_and_keeps_every_other_cell(tmp_path):
    import subprocess
    shipped = new_notebook(cells=[new_markdown_cell("intro"), new_code_cell("show(jwt.claims.check_audience)"),
                                  new_code_cell("answer = ...\nexercises.check_routes(answer)")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(shipped, path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x", "--allow-empty"],
                   cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "nb.ipynb"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "nb"], cwd=tmp_path, check=True)
    worked = nbformat.read(path, as_version=4)
    worked.cells[1].source = "show(jwt.claims.check_audience)  # my note"
    worked.cells[2].source = "answer = {'x': 1}\nexercises.check_routes(answer)"
    nbformat.write(worked, path)
    nbtools.reset(path)
    after = nbformat.read(path, as_version=4)
    assert after.cells[1].source.endswith("# my note")
    assert after.cells[2].source == "answer = ...\nexercises.check_routes(answer)"
