"""The grader: a submission is run in a fresh kernel and judged by checkers it cannot reach."""

import csv
import importlib.util
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from apidesign.paths import ROOT

spec = importlib.util.spec_from_file_location("tool_grade", ROOT / "tools" / "grade.py")
grade = sys.modules["tool_grade"] = importlib.util.module_from_spec(spec)  # dataclasses and pickling need it there
spec.loader.exec_module(grade)

IMPORTS = "from apidesign.exercises import ratelimit as exercises"
BUCKET = '''def allowed(times, capacity=10, refill_per_second=5.0):
    tokens, last, verdicts = float(capacity), None, []
    for t in times:
        if last is not None:
            tokens = min(capacity, tokens + (t - last) * refill_per_second)
        last = t
        ok = tokens >= 1 - 1e-9
        tokens -= 1 if ok else 0
        verdicts.append(ok)
    return verdicts'''


def chapter(burst="...", bucket="allowed = ...", extra=""):
    """A two-exercise chapter, as shipped (placeholders) or with answers filled in."""
    return new_notebook(cells=[
        new_markdown_cell("# 03 · A chapter"), new_code_cell(IMPORTS),
        new_markdown_cell("**Exercise 1.**"), new_code_cell(f"{extra}answer = {burst}\nexercises.check_boundary_burst(answer)"),
        new_markdown_cell("**Exercise 2.**"), new_code_cell(f"{bucket}\nexercises.check_token_bucket(allowed)"),
    ])


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    nbformat.write(chapter(), folder / "03-chapter.ipynb")
    return folder


def submit(tmp_path, student, nb):
    folder = tmp_path / "submissions" / student
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "03-chapter.ipynb")


def test_exercises_are_found_by_their_checker_call_and_nothing_else():
    nb = chapter()
    nb.cells.append(new_code_cell("show(jwt.claims.check_audience)"))
    found = grade.exercises_of(nb, "03")
    assert [(ex.column, ex.checker, ex.args) for _, ex in found] == [
        ("03.1", "check_boundary_burst", ("answer",)), ("03.2", "check_token_bucket", ("allowed",))]


def test_a_model_a_partial_an_empty_and_a_cheating_submission_get_the_grades_they_earned(tmp_path, course):
    submit(tmp_path, "model", chapter(burst="200", bucket=BUCKET))
    submit(tmp_path, "partial", chapter(burst="200"))
    submit(tmp_path, "empty", chapter())
    cheat = ("from apidesign.exercises import Feedback\n"
             "exercises.check_boundary_burst = lambda answer: Feedback(True, 'fine')\n")
    submit(tmp_path, "cheater", chapter(burst="7", extra=cheat))
    grade.main([str(tmp_path / "submissions"), "--course", str(course), "--jobs", "2"])
    rows = {r["student"]: r for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert {s: (r["03.1"], r["03.2"], r["total"]) for s, r in rows.items()} == {
        "model": ("1", "1", "2"), "partial": ("1", "0", "1"), "empty": ("0", "0", "0"), "cheater": ("0", "0", "0")}
    summary = list(csv.reader((tmp_path / "grades-summary.csv").open()))
    assert summary == [["exercise", "passed", "graded"], ["03.1", "2", "4"], ["03.2", "1", "4"]]


def test_an_answer_only_the_students_kernel_could_check_is_left_ungraded_not_failed(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    live = new_notebook(cells=[new_code_cell("from apidesign.exercises import start as exercises"),
                               new_code_cell("class LiveServer: pass\nlive = LiveServer()\nstatus = 201\n"
                                             "exercises.check_create_response(status, live)")])
    nbformat.write(live, course / "00-x.ipynb")
    submit(tmp_path, "ada", live)
    (tmp_path / "submissions" / "ada" / "03-chapter.ipynb").rename(tmp_path / "submissions" / "ada" / "00-x.ipynb")
    grade.main([str(tmp_path / "submissions"), "--course", str(course), "--jobs", "1"])
    [row] = csv.DictReader((tmp_path / "grades.csv").open())
    assert (row["00.1"], row["total"]) == ("", "0")
