"""The grader: a submission is run in a fresh kernel and judged by checkers it cannot reach."""

import csv
import importlib.util
import json
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
    shipped = new_notebook(cells=[new_code_cell("from apidesign.exercises import start as exercises"),
                                  new_code_cell("class LiveServer: pass\nlive = LiveServer()"),
                                  new_code_cell("status = ...\nexercises.check_create_response(status, live)")])
    nbformat.write(shipped, course / "00-x.ipynb")
    shipped.cells[2].source = "status = 201\nexercises.check_create_response(status, live)"
    folder = tmp_path / "submissions" / "ada"
    folder.mkdir(parents=True)
    nbformat.write(shipped, folder / "00-x.ipynb")
    grade.main([str(tmp_path / "submissions"), "--course", str(course), "--jobs", "1"])
    [row] = csv.DictReader((tmp_path / "grades.csv").open())
    assert (row["00.1"], row["total"]) == ("", "0")


def test_a_copied_cell_or_a_deleted_one_shifts_no_column_and_the_last_attempt_counts(tmp_path, course):
    tried = chapter(burst="7", bucket=BUCKET)
    again = new_code_cell("answer = 200\nexercises.check_boundary_burst(answer)")
    tried.cells.insert(4, again)  # the student copied exercise 1's cell and tried again below it
    submit(tmp_path, "retried", tried)
    deleted = chapter(bucket=BUCKET)
    del deleted.cells[3]  # exercise 1's cell is gone
    submit(tmp_path, "deleted", deleted)
    grade.main([str(tmp_path / "submissions"), "--course", str(course), "--jobs", "2"])
    rows = {r["student"]: (r["03.1"], r["03.2"]) for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert rows == {"retried": ("1", "1"), "deleted": ("0", "1")}


def test_a_submission_that_kills_its_kernel_keeps_the_answers_recorded_before(tmp_path, course):
    crashing = chapter(burst="200", bucket=BUCKET)
    crashing.cells.insert(4, new_code_cell("import os\nos._exit(1)"))  # between exercise 1 and exercise 2
    submit(tmp_path, "crashing", crashing)
    grade.main([str(tmp_path / "submissions"), "--course", str(course), "--jobs", "1"])
    [row] = csv.DictReader((tmp_path / "grades.csv").open())
    assert (row["03.1"], row["03.2"], row["total"]) == ("1", "0", "1")


HOL = "from apidesign.exercises import protocols as exercises\nfrom apidesign.protocols import hol"
STALLED = "scenario = hol.Scenario(streams=12, packets=30, loss=0.05, rtt=0.1, seed=4)\n{answer}\n" \
          "exercises.check_stalled_streams(delayed, scenario)"


def test_what_the_exercise_gives_comes_from_the_course_so_a_submission_cannot_make_it_easier(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shipped = STALLED.format(answer="delayed = ...")
    nbformat.write(new_notebook(cells=[new_code_cell(HOL), new_code_cell(shipped)]), course / "01-x.ipynb")
    counted = "r = hol.simulate(scenario)\ndelayed = sum(a > b for a, b in zip(r['HTTP/2'], r['HTTP/3']))"
    easier = ("scenario = hol.Scenario(streams=2, packets=1, loss=0.0, seed=4)  # no loss: nothing stalls\n"
              "delayed = 0\nexercises.check_stalled_streams(delayed, scenario)")
    for student, cell in (("counted", STALLED.format(answer=counted)), ("easier", easier)):
        folder = tmp_path / "submissions" / student
        folder.mkdir(parents=True)
        nbformat.write(new_notebook(cells=[new_code_cell(HOL), new_code_cell(cell)]), folder / "01-x.ipynb")
    grade.main([str(tmp_path / "submissions"), "--course", str(course), "--jobs", "2"])
    rows = {r["student"]: r["01.1"] for r in csv.DictReader((tmp_path / "grades.csv").open())}
    assert rows == {"counted": "1", "easier": "0"}  # the scenario, a dataclass, is recorded and rebuilt


def test_a_function_answer_keeps_the_set_it_uses(tmp_path):
    cell = "VERBS = {'get', 'send'}\ndef verb_in_path(method, path):\n    return path.strip('/') in VERBS"
    recorded = (f"{grade.RECORDER}\n__grading__ = _GradingRecorder(None)\n{cell}\n"
                "printed = _gr_json.dumps(__grading__.plain(verb_in_path))")
    source_file = tmp_path / "cell.py"  # inspect.getsource needs the source on file, as IPython keeps each cell's
    source_file.write_text(recorded)
    namespace = {"__name__": "__main__"}
    exec(compile(recorded, str(source_file), "exec"), namespace)
    revived = grade.revive(json.loads(namespace["printed"]))
    assert revived("POST", "/send") is True and revived("POST", "/messages") is False


def test_the_sample_submissions_answer_every_exercise_of_the_course():
    spec = importlib.util.spec_from_file_location("tool_grade_samples", ROOT / "tools" / "grade_samples.py")
    samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples)
    assert samples.missing_answers() == []  # a new exercise needs its model answer (and maybe a mistake) there


def test_the_real_chapter_03_gives_model_partial_empty_and_cheating_submissions_exactly_what_they_earned(tmp_path):
    """The course's own chapter 03, as handed out and as answered from notebooks/solutions/ (tools/grade_samples.py):
    exercise 1 and 4 right, 2 wrong and 3 untouched in the partial one; every checker replaced by the cheater."""
    spec = importlib.util.spec_from_file_location("tool_grade_samples", ROOT / "tools" / "grade_samples.py")
    samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples)
    out = tmp_path / "samples"
    assert samples.main([str(out), "--chapters", "03", "--jobs", "2"]) == 0  # every grade as earned
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert {s: [r[c] for c in ("03.1", "03.2", "03.3", "03.4", "total")] for s, r in rows.items()} == {
        "model": ["1", "1", "1", "1", "4"], "partial": ["1", "0", "0", "1", "2"],
        "empty": ["0", "0", "0", "0", "0"], "cheater": ["0", "0", "0", "0", "0"]}
