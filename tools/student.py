"""Build the student edition, the course a class receives, as a git repository of its own.

    python tools/student.py [dist/student]

Left out: the model solutions (``notebooks/solutions/``), the grader (``tools/grade.py``) and the
tests that run the model solutions through the checkers (``tests/test_exercises_*.py``,
``tests/test_grade.py``). Every exercise cell is put back to its placeholder. The checkers stay,
since learners need their feedback; they hold no answer to copy (the exercise tests check that no
public name of an exercise module passes its check). The result is committed, so the class can
clone it, and a clone passes its own ``make test``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402  (tools/notebooks.py: reset)

INSTRUCTOR_ONLY = ("notebooks/solutions/", "tools/grade.py", "tools/student.py", "tests/test_grade.py",
                   "tests/test_student.py", "tests/test_exercises_")


def course_files() -> list[str]:
    """Every file the repository tracks, as paths relative to its root."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [p for p in out.split("\0") if p]


def for_students(path: str) -> bool:
    return not path.startswith(INSTRUCTOR_ONLY)


def build(dest: Path) -> list[str]:
    """Write the student edition to ``dest`` (replacing it) and commit it; return the files it holds."""
    if dest.exists():
        shutil.rmtree(dest)
    files = [p for p in course_files() if for_students(p) and (ROOT / p).exists()]
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    for nb in sorted((dest / "notebooks").glob("*.ipynb")):
        notebooks.reset(nb)
    git = ["git", "-c", "user.name=API Design Lab", "-c", "user.email=course@localhost"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "API Design Lab, student edition"], cwd=dest, check=True)
    return files


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "student"
    kept = build(out)
    print(f"student edition: {len(kept)} files -> {out} (a git repository: clone it for the class)")
