"""Build the student edition, the course a class receives, as a git repository of its own.

    python tools/student.py [dist/student] [--repo https://github.com/OWNER/NAME]

Left out: the model solutions (``notebooks/solutions/``), the grader (``tools/grade.py``, and
``tools/grade_samples.py``, which grades the model solutions) and the tests that run the model
solutions through the checkers (``tests/test_exercises_*.py``, ``tests/test_grade.py``). Every
exercise cell is put back to its placeholder; every other cell, the setup cell included, stays. The
checkers stay, since learners need their feedback; they hold no answer to copy (the exercise tests
check that no public name of an exercise module passes its check). The result is committed, so the
class can clone it, and a clone passes its own ``make test``.

``--repo`` (``make student STUDENT_REPO=...``) is where the class will find the edition on GitHub: its
notebooks' setup cells and its README's Colab and Binder badges then point there (``tools/badges.py``),
not at the instructor's course, whose solutions the class should not fetch.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import badges  # noqa: E402  (tools/badges.py: the published address)
import notebooks  # noqa: E402  (tools/notebooks.py: reset)

INSTRUCTOR_ONLY = ("notebooks/solutions/", "tools/grade.py", "tools/grade_samples.py", "tools/student.py",
                   "tests/test_grade.py", "tests/test_student.py", "tests/test_exercises_")


def course_files() -> list[str]:
    """Every file the repository tracks, as paths relative to its root."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [p for p in out.split("\0") if p]


def for_students(path: str) -> bool:
    return not path.startswith(INSTRUCTOR_ONLY)


def build(dest: Path, repo: str | None = None) -> list[str]:
    """Write the student edition to ``dest`` (replacing it) and commit it; return the files it holds.
    With ``repo``, the edition's own published address goes into its notebooks and README."""
    if dest.exists():
        shutil.rmtree(dest)
    files = [p for p in course_files() if for_students(p) and (ROOT / p).exists()]
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    for nb in sorted((dest / "notebooks").glob("*.ipynb")):
        notebooks.reset(nb)
    if repo:
        owner, name = badges.github(repo)
        badges.set_repository(f"https://github.com/{owner}/{name}", dest / "pyproject.toml")
        address = badges.repository(dest / "pyproject.toml")
        badges.update_notebooks(address, dest / "notebooks")
        badges.update_readme(address, dest / "README.md", dest / "notebooks")
    git = ["git", "-c", "user.name=API Design Lab", "-c", "user.email=course@localhost"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "API Design Lab, student edition"], cwd=dest, check=True)
    return files


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Build the student edition.")
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "dist" / "student")
    parser.add_argument("--repo", help="the edition's own address on GitHub, for its Colab and Binder links")
    args = parser.parse_args()
    out, kept = args.out, build(args.out, args.repo)
    print(f"student edition: {len(kept)} files -> {out} (a git repository: clone it for the class)")
