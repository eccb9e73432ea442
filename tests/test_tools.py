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
