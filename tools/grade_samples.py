"""Grade three sample submissions of the real course, and check that each grade is the one it earned.

    python tools/grade_samples.py [build/grading-samples] [--chapters 03 06] [--jobs 2]   # make grade-samples

The students, built from the course's own notebooks:

* ``empty``: the student edition as handed out (``make student``), every exercise at its placeholder;
* ``model``: every exercise answered from ``notebooks/solutions/``: the chapter's solutions file pasted
  at the top of the exercise cell, as a student who copied it would, and the answer taken from it;
* ``partial``: per chapter, exercises 1, 4, 7 ... answered as the model, 2, 5, 8 ... with a plausible
  mistake (``MISTAKES`` below), and 3, 6, 9 ... left untouched;
* ``cheater``: the empty edition plus a cell, after the imports, that replaces every checker of the
  chapter with one that always passes.

``tools/grade.py`` grades them (``grades.csv``, ``grades-summary.csv`` in the output folder); this
script then compares every cell of the CSV with what the submission earned by construction: 1 for
a model answer, 0 for a mistake, an untouched placeholder or any answer of the cheater, and empty
where the grader cannot check an answer outside the student's kernel (chapter 00's live server).
It exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grade  # noqa: E402  (tools/grade.py)
import notebooks  # noqa: E402  (tools/notebooks.py: placeholders)
import student  # noqa: E402  (tools/student.py: the edition a class receives)

SOLUTIONS = ROOT / "notebooks" / "solutions"

# The model answer of each exercise: the names its cell passes to the check, bound to a name or an
# expression of the chapter's solutions file (pasted above) and the notebook's own variables.
MODEL = {
    "00.1": {"status, location": "exercise_1(live.url, alice, name)"},
    "00.2": {"status, code": "exercise_2(live.url, channel_id, carol)"},
    "01.1": {"answers": "exercise_1()"},
    "01.2": {"interval": "exercise_2(arrivals, RTT, 1.5, candidates)"},
    "01.3": {"delayed": "exercise_3(scenario)"},
    "01.4": {"resume_id": "resume_id"},
    "01.5": {"design": "build_progress_design"},
    "02.1": {"answer": "exercise_1"},
    "02.2": {"answer": "exercise_2"},
    "02.3": {"answer": "exercise_3"},
    "02.4": {"answer": "exercise_4"},
    "02.5": {"decode_cursor": "decode_cursor"},
    "02.6": {"design": "bookmarks_design"},
    "03.1": {"answer": "exercise_1"},
    "03.2": {"answer": "exercise_2"},
    "03.3": {"allowed": "exercise_3"},
    "03.4": {"design": "search_limits_design"},
    "04.1": {"answer": "should_retry"},
    "04.2": {"answer": "ceilings"},
    "04.3": {"answer": "trip_call"},
    "04.4": {"answer": "statuses"},
    "04.5": {"decide": "decide"},
    "04.6": {"design": "payments_design"},
    "05.1": {"status_codes": "status_codes"},
    "05.2": {"access_token_ttl": "access_token_ttl"},
    "05.3": {"audience_ok": "audience_ok"},
    "05.4": {"auth_choice": "auth_choice"},
    "05.5": {"hs256_valid": "hs256_valid"},
    "05.6": {"design": "partner_design"},
    "06.1": {"answer": "resource_path"},
    "06.2": {"answer": "predicted_rules"},
    "06.3": {"answer": "protocol_decision"},
    "06.4": {"prompt": "prompt", "answer": "design"},
    "06.5": {"verb_in_path": "verb_in_path"},
    "07.1": {"answer": "statuses"},
    "07.2": {"answer": "polling_cost"},
    "07.3": {"answer": "query_cost"},
    "07.4": {"answer": "ssrf_refused"},
    "07.5": {"precondition": "precondition"},
    "07.6": {"verify": "verify"},
    "07.7": {"design": "reports_design"},
}

# The partial student's mistakes (exercises 2, 5, 8 ... of each chapter): code written above the
# answer lines, and the answers. Each is a mistake the chapter warns about.
MISTAKES = {
    "00.2": ("", {"status, code": '200, None'}),  # as if the non-member's message went through
    "01.2": ("", {"interval": "max(candidates)"}),  # the cheapest interval, whatever the latency
    "01.5": ('design = """\n| Method | Path | Description |\n|---|---|---|\n'
             '| GET | /v1/builds/{buildId} | The build\'s status |\n\n'
             '- The page asks for the status every second.\n"""',
             {"design": "design"}),  # polling, no stream, no reasons
    "02.2": ("", {"answer": "{situation: 200 for situation in exercises.SITUATIONS}"}),
    "02.5": ('import base64\nimport json\n\n\ndef decode_cursor(token, collection):\n'
             '    """Reads the cursor\'s payload and never checks its tag, so a forged cursor gets through."""\n'
             '    try:\n        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))\n'
             '        version, owner, order, created_at, row_id = json.loads(raw[:-16])\n'
             '    except ValueError:\n        return None\n'
             '    return (order, created_at, row_id) if owner == collection else None',
             {"decode_cursor": "decode_cursor"}),
    "03.2": ("", {"answer": "3 / 2"}),  # 1.5 s: Retry-After is whole seconds, rounded up
    "04.2": ("", {"answer": "[0.1 * 2**n for n in range(7)]"}),  # no cap at 2 s
    "04.5": ('def decide(record, fingerprint, now):\n'
             '    """Replays whatever the key stored: no fingerprint check, no expiry."""\n'
             '    return "run" if record is None else record.get("status") or 409',
             {"decide": "decide"}),
    "05.2": ("", {"access_token_ttl": "3600"}),  # an hour: revocation waits far past the 600 s window
    "05.5": ('def hs256_valid(token, secret):\n    """Three segments, and nothing else checked."""\n'
             '    return isinstance(token, str) and token.count(".") == 2',
             {"hs256_valid": "hs256_valid"}),
    "06.2": ("", {"answer": '{"verb-in-path", "no-rate-limiting"}'}),  # two of the rules that fire
    "06.5": ('def verb_in_path(method, path):\n    """Any verb-like word anywhere in the path."""\n'
             '    return any(word in path.lower() for word in ("get", "create", "delete", "send"))',
             {"verb_in_path": "verb_in_path"}),
    "07.2": ("", {"answer": "(4, 0.5)"}),  # the POST that started the export is a request too
    "07.5": ('def precondition(method, path, etag, headers):\n'
             '    """If-Match compared weakly, as If-None-Match is, and no 428 for /v2."""\n'
             '    if "If-Match" in headers and headers["If-Match"].removeprefix("W/") != etag:\n'
             '        return 412\n'
             '    if "If-None-Match" in headers and headers["If-None-Match"].removeprefix("W/") == etag:\n'
             '        return 304\n'
             '    return 200',
             {"precondition": "precondition"}),
}

# Chapter 00's two checks send requests to the student's own live server, which only their kernel had:
# the grader leaves them empty, and counts them in no total (tools/grade.py says why).
NEEDS_THE_STUDENTS_SERVER = {"00.1", "00.2"}

CHEAT = '''from apidesign.exercises import Feedback

for _name in dir({alias}):
    if _name.startswith("check_"):
        setattr({alias}, _name, lambda *args, **kwargs: Feedback(True, "Correct!"))'''


def answered(cell_source: str, answers: dict[str, str], prelude: str = "") -> str:
    """An exercise cell with each placeholder line (``names = ...``, or a dict of ``...``) bound to its answer,
    below ``prelude``."""
    lines, used = [], set()
    for line in cell_source.splitlines():
        target = line.split(" = ", 1)[0].strip() if " = " in line and "..." in line else None
        if target in answers:
            used.add(target)
            if answers[target] != target:  # a name the prelude already defines needs no line
                lines.append(f"{target} = {answers[target]}")
        else:
            lines.append(line)
    missing = set(answers) - used
    assert not missing, f"no `{missing} = ...` line in {cell_source!r}"
    return (prelude.strip() + "\n\n" if prelude.strip() else "") + "\n".join(lines)


def kind_of(column: str) -> str:
    """The partial student's treatment of an exercise: 'right', 'wrong' or 'untouched' (by its number)."""
    return ("untouched", "right", "wrong")[int(column.split(".")[1]) % 3]


def solutions_source(chapter: str) -> str:
    return next(SOLUTIONS.glob(f"{chapter}-*.py")).read_text()


def answer_cells(nb, chapter: str, choose) -> None:
    """Fill the exercise cells of ``nb`` in place: ``choose(column)`` gives (prelude, answers), or None to leave it."""
    for index, ex in grade.exercises_of(nb, chapter):
        choice = choose(ex.column)
        if choice is not None:
            prelude, answers = choice
            nb.cells[index].source = answered(nb.cells[index].source, answers, prelude)


def missing_answers(course: Path = grade.NOTEBOOKS) -> list[str]:
    """Exercises of the course with no model answer, or no mistake where the partial student makes one."""
    columns = [ex.column for exercises in grade.course_exercises(course).values() for ex in exercises]
    return ([f"{c}: no model answer in MODEL" for c in columns if c not in MODEL]
            + [f"{c}: no mistake in MISTAKES" for c in columns if kind_of(c) == "wrong" and c not in MISTAKES])


def model(nb, chapter: str) -> None:
    answer_cells(nb, chapter, lambda column: (solutions_source(chapter), MODEL[column]))


def partial(nb, chapter: str) -> None:
    def choose(column):
        kind = kind_of(column)
        if kind == "right":
            return solutions_source(chapter), MODEL[column]
        return MISTAKES[column] if kind == "wrong" else None
    answer_cells(nb, chapter, choose)


def cheater(nb, chapter: str) -> None:
    alias = next(iter(grade.exercise_aliases(nb)))
    first = min(index for index, _ in grade.exercises_of(nb, chapter))
    imports = next(i for i, cell in enumerate(nb.cells[:first]) if cell.cell_type == "code"
                   and f"as {alias}" in cell.source and "apidesign.exercises" in cell.source)
    nb.cells.insert(imports + 1, nbformat.v4.new_code_cell(CHEAT.format(alias=alias)))


STUDENTS = {"empty": None, "model": model, "partial": partial, "cheater": cheater}


def expected(student_name: str, column: str, gradable: bool) -> str:
    """What a submission earned by construction: '1', '0', or '' where the grader cannot check."""
    if not gradable:
        return ""
    earned = student_name == "model" or (student_name == "partial" and kind_of(column) == "right")
    return "1" if earned else "0"


def build(out: Path, chapters: list[str] | None) -> Path:
    """The submissions folder: one folder per sample student, each with the chosen chapters."""
    submissions = out / "submissions"
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        edition = Path(tmp) / "student"
        student.build(edition)
        handed_out = sorted(p for p in (edition / "notebooks").glob("[0-9][0-9]-*.ipynb")
                            if chapters is None or p.name[:2] in chapters)
        for name, fill in STUDENTS.items():
            (submissions / name).mkdir(parents=True)
            for path in handed_out:
                nb = nbformat.read(path, as_version=4)
                if fill is not None:
                    fill(nb, path.name[:2])
                nbformat.write(nb, submissions / name / path.name)
    return submissions


def course_for(chapters: list[str] | None, out: Path) -> Path:
    """The answer sheet: the course's notebooks, or a folder with only the chosen chapters."""
    if chapters is None:
        return grade.NOTEBOOKS
    course = out / "course"
    course.mkdir()
    for chapter in chapters:
        shutil.copy(next(grade.NOTEBOOKS.glob(f"{chapter}-*.ipynb")), course)
    return course


def differences(out: Path, ungradable: set[str]) -> list[str]:
    """Every CSV cell that differs from what its submission earned."""
    wrong = []
    for row in csv.DictReader((out / "grades.csv").open()):
        columns = [c for c in row if c not in ("student", "total")]
        for column in columns:
            want = expected(row["student"], column, column not in ungradable)
            if row[column] != want:
                wrong.append(f"{row['student']} {column}: graded {row[column]!r}, earned {want!r}")
        want_total = sum(expected(row["student"], c, c not in ungradable) == "1" for c in columns)
        if int(row["total"]) != want_total:
            wrong.append(f"{row['student']} total: {row['total']}, earned {want_total}")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "build" / "grading-samples")
    parser.add_argument("--chapters", nargs="+", help="only these chapters (e.g. 03 06); all by default")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if missing := [m for m in missing_answers() if args.chapters is None or m[:2] in args.chapters]:
        raise SystemExit("tools/grade_samples.py needs, for each exercise: " + "; ".join(missing))
    submissions = build(args.out, args.chapters)
    course = course_for(args.chapters, args.out)
    started = time.monotonic()
    grade.main([str(submissions), "--course", str(course), "--jobs", str(args.jobs),
                "--out", str(args.out / "grades.csv")])
    seconds = time.monotonic() - started
    for name in ("grades.csv", "grades-summary.csv"):
        print(f"\n{name}:\n" + (args.out / name).read_text().strip())
    wrong = differences(args.out, NEEDS_THE_STUDENTS_SERVER)
    print(f"\ngraded {len(STUDENTS)} sample submissions in {seconds:.0f} s (wall time, --jobs {args.jobs})")
    print("\n".join(wrong) if wrong else "every grade is the one its submission earned")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
