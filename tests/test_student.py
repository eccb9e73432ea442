"""The student edition (``make student``): no solutions, no grader, exercises at their placeholders, clonable."""

import importlib.util
import os
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
