"""The student edition (``make student``): no solutions, no grader, exercises at their placeholders, clonable."""

import importlib.util
import os
import re
import subprocess
import sys

import nbformat
import pytest

from apidesign.paths import ROOT

spec = importlib.util.spec_from_file_location("tool_student", ROOT / "tools" / "student.py")
student = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student)
nbtools = student.notebooks


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    dest = tmp_path_factory.mktemp("dist") / "student"
    student.build(dest)
    clone = dest.parent / "clone"
    subprocess.run(["git", "clone", "-q", str(dest), str(clone)], check=True)
    return clone


def test_the_edition_has_no_solutions_no_grader_and_no_solution_tests(edition):
    assert not (edition / "notebooks" / "solutions").exists()
    assert not (edition / "tools" / "grade.py").exists()
    assert not list((edition / "tests").glob("test_exercises_*.py"))
    assert (edition / "lib" / "apidesign" / "exercises" / "ratelimit.py").exists()  # the checkers stay
    assert sorted(p.name for p in (edition / "notebooks").glob("*.ipynb")) == \
        sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_of_the_edition_keeps_its_setup_cell_for_colab(edition):
    for path in (edition / "notebooks").glob("*.ipynb"):
        original = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        kept = [c for c in nbformat.read(path, as_version=4).cells if c.get("id") == "course-setup"]
        assert [c.source for c in kept] == [c.source for c in original.cells if c.get("id") == "course-setup"] != []


def test_every_exercise_cell_of_the_edition_is_at_its_placeholder(edition):
    for path in (edition / "notebooks").glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if nbtools.is_exercise(cell):
                assert cell.source == nbtools.placeholder(cell), (path.name, cell.source)


def test_a_notebook_of_the_cloned_edition_passes_nbval_with_its_own_library(edition):
    env = {**os.environ, "PYTHONPATH": str(edition / "lib")}
    run = subprocess.run([sys.executable, "-m", "pytest", "notebooks/00-start-here.ipynb", "--nbval",
                          "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "-q",
                          "-p", "no:cacheprovider"], cwd=edition, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:]


def test_an_edition_published_at_its_own_address_links_there_not_to_the_course(tmp_path):
    dest = tmp_path / "student"
    student.build(dest, repo="https://github.com/teacher/api-lab-students")
    assert student.badges.repository(dest / "pyproject.toml") == "https://github.com/teacher/api-lab-students"
    for path in (dest / "notebooks").glob("*.ipynb"):
        cell = student.badges.setup_cell(nbformat.read(path, as_version=4))
        assert 'REPOSITORY = "https://github.com/teacher/api-lab-students"' in cell.source
    readme = (dest / "README.md").read_text()
    assert readme.count("colab.research.google.com/github/teacher/api-lab-students/") == len(
        list((dest / "notebooks").glob("*.ipynb")))
    clean = subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True, check=True)
    assert clean.stdout == ""  # committed as such


def edition_texts(edition):
    """The README and every markdown cell of every notebook of the edition, by name."""
    texts = {"README.md": (edition / "README.md").read_text()}
    for path in sorted((edition / "notebooks").glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        texts[path.name] = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    return texts


def test_no_sentence_of_the_edition_points_at_the_solutions_it_leaves_out(edition):
    for name, text in edition_texts(edition).items():
        assert "solutions/" not in text and "Model solutions" not in text, name
    # the rest of each sentence's paragraph stays
    texts = edition_texts(edition)
    assert "Replace the `...` with your answer and run the cell.\n\n**Exercise 1.**" in texts["00-start-here.ipynb"]
    assert "Replace the `...` and run the cell.\n\n**Exercise 1.**" in texts["02-rest-design.ipynb"]
    assert "with the reference's reason.\n" in texts["03-rate-limiting.ipynb"] + "\n"
    assert "| `notebooks/` | the course |" in texts["README.md"]


@pytest.mark.parametrize("text, kept", [
    ("Run the cell. (Model solutions are in `notebooks/solutions/00-x.py`; try first.)\n\n**1.**", "Run the cell.\n\n**1.**"),
    ("Run the cell. Model solutions are in `notebooks/solutions/02-x.py`; try first.\n\nNext", "Run the cell.\n\nNext"),
    ("the reason. (Model solutions: `notebooks/solutions/03-x.py`.)", "the reason."),
    ("Run it. Model solutions: `notebooks/solutions/04-x.py`.\n", "Run it.\n"),
    ("talking points. Model solutions are in `notebooks/solutions/`.\nExercises", "talking points.\nExercises"),
])
def test_solution_sentences_are_cut_at_their_own_ends(text, kept):
    assert student.without_solution_sentences(text) == kept


def test_every_make_target_the_edition_names_exists_and_so_does_its_tool(edition):
    makefile = (edition / "Makefile").read_text()
    targets = set(re.findall(r"^([\w-]+):(?!=)", makefile, flags=re.M))
    named = set(re.findall(r"`make ([\w-]+)", (edition / "README.md").read_text()))
    assert named and named <= targets, named - targets
    for tool in re.findall(r"\btools/[\w/]+\.py", makefile):
        assert (edition / tool).exists(), tool
    assert not targets & {"student", "test-student", "grade", "grade-samples"}
    for line in (edition / ".ci" / "run").read_text().splitlines():
        if line.startswith("make "):
            assert line.split()[1] in targets, line
    run = subprocess.run(["make", "-n", "-C", str(edition), "test-unit"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr  # the Makefile still parses


def test_the_edition_ships_no_instructor_pages_and_its_site_lists_none(edition):
    assert not (edition / "docs" / "instructor-guide.md").exists()
    assert not (edition / "docs" / "jupyterhub.md").exists()
    assert "instructor-guide" not in (edition / "README.md").read_text()
    spec = importlib.util.spec_from_file_location("edition_site", edition / "tools" / "site.py")
    site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site)
    assert site.ROOT == edition
    site.write_sources()
    toc = (site.SOURCE / "_toc.yml").read_text()
    assert "00-start-here" in toc and "instructor-guide" not in toc and "jupyterhub" not in toc
    assert not list(site.SOURCE.glob("*.md"))
