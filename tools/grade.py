"""Grade submitted notebooks with the course's own checkers.

    python tools/grade.py SUBMISSIONS [--out grades.csv] [--jobs 2]

``SUBMISSIONS`` holds one folder per student, each with any of the course's notebooks
(``submissions/ada/03-rate-limiting.ipynb``). For every student and every exercise the result is
1 (the checker passed the answer) or 0, written to ``grades.csv`` (one row per student, one column
per exercise, a total) and ``grades-summary.csv`` (per exercise: how many students passed).

How an exercise is found: in the course's own notebook, it is a code cell whose last line calls a
``check_...`` function of the chapter's exercises module (``exercises.check_retry_after(answer)``), as
every exercise cell does. In a submission, each cell that calls one of those checkers is matched to
its exercise by the checker, not by position: a student who copied a cell to try again, or deleted
one, shifts nothing, and of several attempts the last to run counts.

How a submission is graded, and why it cannot grade itself:

1. The notebook runs top to bottom in a fresh kernel, as the student left it (errors do not stop it).
2. After each exercise cell, a cell the grader adds records the values of the course's call's
   arguments: plain data as JSON, a dataclass of the course by its fields, a function as its source
   (with the imports, constants and helper functions it uses).
3. The course's own notebooks run once as well. An argument the student answers (a name the
   shipped cell binds to ``...``) is taken from the submission; one the course gives (``arrivals``,
   ``scenario``) from the course's run, so a submission cannot make its exercise easier.
4. The checkers then run in a separate Python process that imports them from the installed course
   and has never seen the student's kernel. A submission that redefines a checker, patches the
   exercises module or prints a fake tick changes nothing there.

The code of a function answer does run in that process, to be tested; it is a course grader, not a
sandbox for hostile code, so run it as a user who can lose nothing.

Why not nbgrader or otter-grader: both grade with test cells written for them (hidden tests inside
the notebook, an exchange directory and a database for nbgrader; an assignment format for otter),
and the course already has its tests as checker functions with a machine-readable verdict
(``Feedback.ok``). Reusing them keeps one source of truth for what a right answer is.

One limit: an exercise whose check needs the student's live server (chapter 00's two) cannot be
checked outside that kernel, not even with the course's run; its cell in the CSV is left empty and it
counts in no total.
"""

from __future__ import annotations

import argparse
import ast
import csv
import importlib
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks  # noqa: E402  (tools/notebooks.py: each exercise's placeholder)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


@dataclass(frozen=True)
class Exercise:
    """One checked exercise of a chapter: its column name, the checker and the call's argument expressions."""

    column: str  # "03.2"
    module: str  # "apidesign.exercises.ratelimit"
    checker: str  # "check_retry_after"
    args: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]
    answers: tuple[str, ...] = ()  # the names the student fills in: the shipped cell binds them to `...`

    def given(self, expression: str) -> bool:
        """True for an argument the course gives (``arrivals``, ``scenario``), not one the student answers."""
        return not {n.id for n in ast.walk(ast.parse(expression)) if isinstance(n, ast.Name)} & set(self.answers)


def exercise_aliases(nb) -> dict[str, str]:
    """Names bound to exercise modules by the notebook's imports: {"exercises": "apidesign.exercises.ratelimit"}."""
    aliases = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "apidesign.exercises":
                for name in node.names:
                    aliases[name.asname or name.name] = f"apidesign.exercises.{name.name}"
    return aliases


def checker_call(cell, aliases: dict[str, str]) -> ast.Call | None:
    """The ``alias.check_x(...)`` call on the last line of an exercise cell, or None for any other cell."""
    if cell.cell_type != "code":
        return None
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        return None
    call = body[-1].value if body and isinstance(body[-1], ast.Expr) else None
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr.startswith("check_")
            and isinstance(call.func.value, ast.Name) and call.func.value.id in aliases):
        return call
    return None


def answer_names(cell) -> tuple[str, ...]:
    """The names an exercise cell binds to ``...`` as shipped (``status, code = ..., ...``: status, code)."""
    try:
        body = ast.parse(notebooks.placeholder(cell)).body
    except (SyntaxError, StopIteration):
        return ()
    names = []
    for node in body:
        if isinstance(node, ast.Assign) and any(isinstance(n, ast.Constant) and n.value is ...
                                                for n in ast.walk(node.value)):
            names += [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return tuple(names)


def exercises_of(nb, chapter: str) -> list[tuple[int, Exercise]]:
    """(cell index, exercise) for every exercise of a notebook, numbered in order: 03.1, 03.2, ..."""
    aliases, found = exercise_aliases(nb), []
    for index, cell in enumerate(nb.cells):
        call = checker_call(cell, aliases)
        if call is not None:
            found.append((index, Exercise(
                column=f"{chapter}.{len(found) + 1}", module=aliases[call.func.value.id], checker=call.func.attr,
                args=tuple(ast.unparse(a) for a in call.args),
                kwargs=tuple((k.arg, ast.unparse(k.value)) for k in call.keywords if k.arg),
                answers=answer_names(cell))))
    return found


def attempts(nb, exercises: list[Exercise]) -> list[tuple[int, Exercise]]:
    """(cell index, course exercise) for each cell of a submission that calls one of the course's checkers.

    Matched by checker, not by position, so a student who copied an exercise cell to try again, or
    deleted one, does not shift the others: the k-th call of a checker is that checker's k-th exercise
    (the last one for any further calls), and of several attempts the last to run counts.
    """
    aliases, calls, found = exercise_aliases(nb), {}, []
    for ex in exercises:
        calls.setdefault((ex.module, ex.checker), []).append(ex)
    seen: dict[tuple[str, str], int] = {}
    for index, cell in enumerate(nb.cells):
        call = checker_call(cell, aliases)
        key = (aliases[call.func.value.id], call.func.attr) if call is not None else None
        if key in calls:
            found.append((index, calls[key][min(seen.get(key, 0), len(calls[key]) - 1)]))
            seen[key] = seen.get(key, 0) + 1
    return found


# The cells the grader adds to a copy of the submission. ``__grading__`` records values, nothing else.
RECORDER = '''
import dataclasses as _gr_dataclasses, inspect as _gr_inspect, json as _gr_json, types as _gr_types

class _Unrecordable(ValueError):
    pass

class _GradingRecorder:
    def __init__(self, path):
        self.path, self.answers = path, {}

    def plain(self, value, depth=0):
        if depth > 20:
            raise ValueError("nested too deep to record")
        if value is ...:
            return {"__ellipsis__": True}
        if isinstance(value, (str, bool, int, float)) or value is None:
            return value
        if hasattr(value, "item") and not hasattr(value, "__len__"):
            return value.item()  # a numpy scalar
        if hasattr(value, "tolist"):
            return value.tolist()
        if isinstance(value, dict):
            return {str(k): self.plain(v, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.plain(v, depth + 1) for v in value]
        if isinstance(value, (set, frozenset)):
            return {"__set__": [self.plain(v, depth + 1) for v in value]}
        if isinstance(value, _gr_types.FunctionType):
            return {"__function__": self.function(value)}
        cls = type(value)
        if _gr_dataclasses.is_dataclass(value) and cls.__module__.startswith("apidesign."):
            return {"__dataclass__": [cls.__module__, cls.__qualname__],
                    "fields": {f.name: self.plain(getattr(value, f.name), depth + 1)
                               for f in _gr_dataclasses.fields(value) if f.init}}
        raise _Unrecordable(f"a {cls.__name__} cannot be recorded")

    def function(self, fn, seen=None):
        seen = seen if seen is not None else set()
        seen.add(fn.__name__)
        parts = {"source": [_gr_inspect.getsource(fn)], "imports": {}, "constants": {}}
        codes, names = [fn.__code__], set()
        while codes:
            code = codes.pop()
            names |= set(code.co_names)
            codes += [c for c in code.co_consts if isinstance(c, _gr_types.CodeType)]
        for name in sorted(names):
            obj = fn.__globals__.get(name)
            if isinstance(obj, _gr_types.ModuleType):
                parts["imports"][name] = obj.__name__
            elif isinstance(obj, _gr_types.FunctionType) and obj.__module__ == "__main__" and name not in seen:
                helper = self.function(obj, seen)
                parts["source"] = helper["source"] + parts["source"]
                parts["imports"].update(helper["imports"])
                parts["constants"].update(helper["constants"])
            elif isinstance(obj, (str, bool, int, float, tuple, list, dict, set, frozenset)):
                parts["constants"][name] = self.plain(obj)
        return parts

    def one(self, value):
        try:
            return {"value": self.plain(value)}
        except _Unrecordable as exc:  # e.g. the live server: only the kernel that ran it could check with it
            return {"unrecordable": str(exc)}
        except Exception as exc:
            return {"unrecordable": f"{type(exc).__name__}: {exc}"}

    def record(self, column, args, kwargs):
        try:
            values, named = list(args()), kwargs()
            self.answers[column] = {"args": [self.one(v) for v in values],
                                    "kwargs": {k: self.one(v) for k, v in named.items()}}
        except Exception as exc:  # an answer the student never defined, say
            self.answers[column] = {"error": f"{type(exc).__name__}: {exc}"}
        with open(self.path, "w") as f:  # at once: a later cell that hangs or kills the kernel loses nothing
            f.write(_gr_json.dumps(self.answers))
'''


def record_cell(ex: Exercise) -> str:
    args = "".join(f"{a}, " for a in ex.args)
    kwargs = ", ".join(f"{k!r}: {v}" for k, v in ex.kwargs)
    return f"__grading__.record({ex.column!r}, lambda: ({args}), lambda: {{{kwargs}}})"


def answers_of(path: Path, exercises: list[Exercise], course: Path, timeout: int = 300) -> dict:
    """Run a notebook in a fresh kernel and return, per exercise, the values of the course's call's arguments
    after the student's cell (the course's own call: what the student passes is not up to them)."""
    nb = nbformat.read(path, as_version=4)
    found = attempts(nb, exercises)
    for index, ex in reversed(found):
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell(record_cell(ex)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "answers.json"
        nb.cells.insert(0, nbformat.v4.new_code_cell(f"{RECORDER}\n__grading__ = _GradingRecorder({str(out)!r})"))
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(course)}})
        try:
            client.execute()
        except Exception as exc:  # a cell past the timeout, a dead kernel, a kernel that never started
            print(f"grade: {path}: {type(exc).__name__}: {exc}; exercises after that point count as unanswered",
                  file=sys.stderr)
        return json.loads(out.read_text()) if out.exists() else {}


# -- the checkers' side: a clean process ---------------------------------------------------------

def revive(value):
    """Recorded JSON back to Python values; a recorded function is defined anew from its source, a recorded
    dataclass of the course (``hol.Scenario``) is built anew from its fields."""
    if isinstance(value, list):
        return [revive(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.keys() == {"__ellipsis__"}:
        return ...
    if value.keys() == {"__set__"}:
        return set(revive(value["__set__"]))
    if value.keys() == {"__dataclass__", "fields"}:
        module, name = value["__dataclass__"]
        if not module.startswith("apidesign."):
            raise ValueError(f"not a class of the course: {module}")
        cls = importlib.import_module(module)
        for part in name.split("."):
            cls = getattr(cls, part)
        return cls(**{k: revive(v) for k, v in value["fields"].items()})
    if value.keys() == {"__function__"}:
        parts = value["__function__"]
        namespace = {name: __import__(module, fromlist=["_"]) for name, module in parts["imports"].items()}
        namespace.update({k: revive(v) for k, v in parts["constants"].items()})
        for source in parts["source"]:
            exec(compile(source, "<submission>", "exec"), namespace)
        return namespace[parts["source"][-1].split("def ", 1)[1].split("(", 1)[0].strip()]
    return {k: revive(v) for k, v in value.items()}


class Ungraded(Exception):
    """A value the check needs could not be recorded even from the course's own run (chapter 00's live server)."""


def argument(ex: Exercise, expression: str, mine: dict | None, course: dict | None):
    """The value to check with: the student's for an answer, the course's own run's for what the course gives."""
    if ex.given(expression):
        if not course or "unrecordable" in course:
            raise Ungraded(expression)
        return revive(course["value"])
    if not mine or "unrecordable" in mine:
        raise ValueError(f"{expression}: {(mine or {}).get('unrecordable', 'not recorded')}")
    return revive(mine["value"])


def verdicts(exercises: list[Exercise], answers: dict, reference: dict) -> dict[str, int | None]:
    """1 or 0 per exercise column: the installed checker's verdict on the student's answers, with what the
    course gives (``arrivals``, ``scenario``) taken from the course's own run, so a submission cannot make
    its exercise easier; None when even the course's run could not record what the check needs."""
    results: dict[str, int | None] = {}
    for ex in exercises:
        mine, course = answers.get(ex.column), reference.get(ex.column)
        if not course or "error" in course:
            results[ex.column] = None
            continue
        if not mine or "error" in mine:
            results[ex.column] = 0
            continue
        try:
            args = [argument(ex, e, m, c) for e, m, c in zip(ex.args, mine["args"], course["args"])]
            kwargs = {k: argument(ex, e, mine["kwargs"].get(k), course["kwargs"].get(k)) for k, e in ex.kwargs}
        except Ungraded:
            results[ex.column] = None
            continue
        except Exception:
            results[ex.column] = 0
            continue
        try:
            feedback = getattr(importlib.import_module(ex.module), ex.checker)(*args, **kwargs)
            results[ex.column] = int(getattr(feedback, "ok", False) is True)
        except Exception:
            results[ex.column] = 0
    return results


def course_exercises(course: Path) -> dict[str, list[Exercise]]:
    """Every chapter's exercises, read from the course's own notebooks (not from any submission)."""
    return {path.name: [ex for _, ex in exercises_of(nbformat.read(path, as_version=4), path.name[:2])]
            for path in sorted(course.glob("[0-9][0-9]-*.ipynb"))}


def judged(exercises: list[Exercise], answers: dict, reference: dict) -> dict[str, int | None]:
    """The verdicts, from a fresh interpreter that never ran the student's notebook (0 everywhere if it fails)."""
    request = {"exercises": [vars(ex) for ex in exercises], "answers": answers, "reference": reference}
    result = subprocess.run([sys.executable, __file__, "--verdicts"], input=json.dumps(request),
                            capture_output=True, text=True, timeout=600)
    return json.loads(result.stdout) if result.returncode == 0 else {ex.column: 0 for ex in exercises}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Grade submitted notebooks with the course's checkers.")
    parser.add_argument("submissions", type=Path, nargs="?")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (one kernel each)")
    parser.add_argument("--course", type=Path, default=NOTEBOOKS, help="the course's notebooks (the answer sheet)")
    parser.add_argument("--verdicts", action="store_true", help=argparse.SUPPRESS)  # the clean checker process
    args = parser.parse_args(argv)
    if args.verdicts:
        request = json.loads(sys.stdin.read())
        exercises = [Exercise(**{k: tuple(map(tuple, v)) if k == "kwargs" else tuple(v)
                                 if k in ("args", "answers") else v for k, v in ex.items()})
                     for ex in request["exercises"]]
        print(json.dumps(verdicts(exercises, request["answers"], request["reference"])))
        return
    chapters = course_exercises(args.course)
    every = [ex for exercises in chapters.values() for ex in exercises]
    columns = [ex.column for ex in every]
    students = sorted(p for p in args.submissions.iterdir() if p.is_dir())
    out = args.out or args.submissions.parent / "grades.csv"
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        # The course's own notebooks run once too: what an exercise gives (its data, its scenario) comes from them.
        course_runs = [pool.submit(answers_of, args.course / name, exercises, args.course)
                       for name, exercises in chapters.items()]
        runs = {folder: [pool.submit(answers_of, folder / name, exercises, args.course)
                         for name, exercises in chapters.items() if (folder / name).exists()] for folder in students}
        reference = {k: v for run in course_runs for k, v in run.result().items()}
        graded = [judged(every, {k: v for run in runs[folder] for k, v in run.result().items()}, reference)
                  for folder in students]
    rows = [{"student": folder.name, **{c: "" if row.get(c, 0) is None else row.get(c, 0) for c in columns},
             "total": sum(row.get(c) or 0 for c in columns)} for folder, row in zip(students, graded)]
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student", *columns, "total"])
        writer.writeheader()
        writer.writerows(rows)
    summary = out.with_name(out.stem + "-summary.csv")
    with summary.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["exercise", "passed", "graded"])  # graded: students whose answer could be checked here
        writer.writerows([c, sum(r[c] or 0 for r in rows), sum(r[c] != "" for r in rows)] for c in columns)
    print(f"{len(rows)} student(s), {len(columns)} exercise(s) -> {out} and {summary}")


if __name__ == "__main__":
    main()
