"""`make badges`: one address in pyproject.toml, written into every notebook's setup cell and the README's badges."""

import importlib.util
import shutil
import tomllib

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from apidesign.paths import NOTEBOOKS, ROOT

spec = importlib.util.spec_from_file_location("tool_badges", ROOT / "tools" / "badges.py")
badges = importlib.util.module_from_spec(spec)
spec.loader.exec_module(badges)

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_every_notebook_starts_its_code_with_the_setup_cell_for_the_configured_address(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.get("id") == badges.CELL_ID, "run `make badges` to give this notebook its setup cell"
    assert not badges.with_setup_cell(nb, badges.repository()), "run `make badges`: the setup cell is out of date"
    assert nb.cells[0].source.startswith("# "), "the title stays the first cell"


def test_the_readme_badges_match_the_configured_address():
    text = (ROOT / "README.md").read_text()
    block = text[text.index(badges.BEGIN) + len(badges.BEGIN):text.index(badges.END)]
    expected = badges.badge_block(badges.repository(), [p.name for p in NOTEBOOK_FILES])
    assert block.strip() == expected, "run `make badges`"


def test_no_badge_points_anywhere_until_an_address_is_set():
    block = badges.badge_block("", [p.name for p in NOTEBOOK_FILES])
    assert "colab.research.google.com" not in block and "mybinder.org" not in block
    assert "make badges REPO=https://github.com/OWNER/NAME" in block


def test_a_published_course_gets_a_colab_and_a_binder_badge_per_notebook():
    block = badges.badge_block("https://github.com/ada/api-lab", ["00-start-here.ipynb", "03-rate-limiting.ipynb"])
    assert block.count("colab-badge.svg") == 2 and block.count("badge_logo.svg") == 2
    assert ("(https://colab.research.google.com/github/ada/api-lab/blob/main/notebooks/03-rate-limiting.ipynb)"
            in block)
    assert "(https://mybinder.org/v2/gh/ada/api-lab/main?urlpath=lab/tree/notebooks/03-rate-limiting.ipynb)" in block


def test_only_a_github_address_is_accepted():
    assert badges.github("https://github.com/ada/api-lab.git") == ("ada", "api-lab")
    for wrong in ("https://gitlab.com/ada/api-lab", "github.com/ada/api-lab", "https://github.com/ada"):
        with pytest.raises(SystemExit, match="not a GitHub repository address"):
            badges.github(wrong)


def test_the_address_is_written_to_pyproject_once_and_the_rest_of_the_file_is_kept(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", pyproject)
    before = tomllib.loads(pyproject.read_text())
    badges.set_repository("https://github.com/ada/api-lab", pyproject)
    badges.set_repository("https://github.com/bob/api-lab", pyproject)
    after = tomllib.loads(pyproject.read_text())
    assert badges.repository(pyproject) == "https://github.com/bob/api-lab"
    assert pyproject.read_text().count("Repository =") == 1
    after["project"].pop("urls")
    before["project"].pop("urls", None)
    assert after == before


def test_the_tool_inserts_the_cell_after_the_title_once_and_only_updates_it_later(tmp_path):
    chapter = new_notebook(cells=[new_markdown_cell("# 07 · A new chapter"),
                                  new_code_cell("import json", id="imports"), new_markdown_cell("Text.")])
    nbformat.write(chapter, tmp_path / "07-new.ipynb")
    assert badges.update_notebooks("", tmp_path) == [tmp_path / "07-new.ipynb"]
    first = (tmp_path / "07-new.ipynb").read_text()
    assert badges.update_notebooks("", tmp_path) == []
    assert (tmp_path / "07-new.ipynb").read_text() == first  # a second run changes nothing
    badges.update_notebooks("https://github.com/ada/api-lab", tmp_path)
    nb = nbformat.read(tmp_path / "07-new.ipynb", as_version=4)
    assert [c.get("id") for c in nb.cells][1:3] == [badges.CELL_ID, "imports"]
    assert 'REPOSITORY = "https://github.com/ada/api-lab"' in nb.cells[1].source
    assert sum(c.get("id") == badges.CELL_ID for c in nb.cells) == 1


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_the_setup_cell_is_no_slide_of_the_decks_or_of_live_rise_and_is_left_off_the_site(path):
    slides_spec = importlib.util.spec_from_file_location("tool_slides", ROOT / "tools" / "slides.py")
    slides = importlib.util.module_from_spec(slides_spec)
    slides_spec.loader.exec_module(slides)
    nb = nbformat.read(path, as_version=4)
    cell = badges.setup_cell(nb)
    assert cell.metadata["slideshow"] == {"slide_type": "skip"}  # RISE, live in JupyterLab
    assert "remove-cell" in cell.metadata["tags"]  # Jupyter Book (make site)
    assert not [c for c in slides.deck(nb).cells if "find_spec" in c.source]  # make slides


def test_binder_builds_from_the_courses_own_requirements_on_a_python_the_course_supports():
    """binder/ makes repo2docker ignore the root's files, which would get its newest Python and a non-editable
    `pip install .` (whose apidesign.paths would look for data/ in site-packages)."""
    assert (ROOT / "binder" / "requirements.txt").read_text().split() == ["-r", "../requirements.txt"]
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    version = tuple(int(n) for n in runtime.removeprefix("python-").split("."))
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert version >= tuple(int(n) for n in minimum.removeprefix(">=").split("."))
