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
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import badges  # noqa: E402  (tools/badges.py: the published address)
import notebooks  # noqa: E402  (tools/notebooks.py: reset)

INSTRUCTOR_ONLY = ("notebooks/solutions/", "tools/grade.py", "tools/grade_samples.py", "tools/student.py",
                   "tests/test_grade.py", "tests/test_student.py", "tests/test_exercises_",
                   # the instructor's pages: the guide holds the answers to the discussion questions, and the
                   # JupyterHub recipe is for whoever runs the class's server (and grades with make grade)
                   "docs/instructor-guide.md", "docs/jupyterhub.md")
# The Makefile targets whose tools are left out, dropped from the edition's Makefile, README and CI script.
INSTRUCTOR_TARGETS = ("student", "test-student", "grade", "grade-samples")
# A sentence pointing at the model solutions: in parentheses, or ending at a full stop.
SOLUTIONS_SENTENCE = re.compile(r" ?\([^()\n]*notebooks/solutions/[^()\n]*\)|[^.\n|]*notebooks/solutions/[^\n]*?\.(?=\s|$)")


def course_files() -> list[str]:
    """Every file the repository tracks, as paths relative to its root."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [p for p in out.split("\0") if p]


def for_students(path: str) -> bool:
    return not path.startswith(INSTRUCTOR_ONLY)


def without_solution_sentences(text: str) -> str:
    """``text`` without the sentences that send the reader to ``notebooks/solutions/`` (not in the edition)."""
    text = text.replace("; `notebooks/solutions/` holds the model solutions", "")  # the README's table row
    return SOLUTIONS_SENTENCE.sub("", text)


def without_targets(makefile: str, targets=INSTRUCTOR_TARGETS) -> str:
    """The Makefile without ``targets``: each rule, its recipe, the comment lines just above it, and its
    name in ``.PHONY``."""
    out: list[str] = []
    skipping = False
    for line in makefile.splitlines(keepends=True):
        rule = re.match(r"([\w-]+):(?!=)", line)
        if rule:
            skipping = rule.group(1) in targets
            if skipping:
                while out and out[-1].startswith("#"):
                    out.pop()
                continue
        elif skipping and (line.startswith("\t") or line.strip() == ""):
            if line.strip() == "":
                skipping = False
                if out and out[-1].strip():
                    out.append(line)
            continue
        else:
            skipping = False
        if line.startswith(".PHONY:"):
            line = ".PHONY:" + "".join(f" {t}" for t in line[7:].split() if t not in targets) + "\n"
        out.append(line)
    return "".join(out)


def readme_without_targets(readme: str, targets=INSTRUCTOR_TARGETS) -> str:
    """The README without the table rows of ``targets`` and without them in the sentence naming CI's targets."""
    names = "|".join(re.escape(t) for t in sorted(targets, key=len, reverse=True))
    readme = re.sub(rf"^\| `make ({names})\b[^`]*`.*\n", "", readme, flags=re.M)
    readme = re.sub(rf", (`make [\w-]+`) and `make ({names})`", r" and \1", readme)
    readme = re.sub(r"^## Teaching a class\n.*?(?=^## )", "", readme, flags=re.M | re.S)  # the instructor's pages
    return readme


def for_the_edition(dest: Path) -> None:
    """Rewrite the copied files that mention what the edition leaves out."""
    for path in sorted((dest / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "markdown" and "notebooks/solutions/" in c.source]
        for cell in cells:
            cell.source = without_solution_sentences(cell.source)
        if cells:
            nbformat.write(nb, path)
    readme = dest / "README.md"
    readme.write_text(readme_without_targets(without_solution_sentences(readme.read_text())))
    makefile = dest / "Makefile"
    makefile.write_text(without_targets(makefile.read_text()))
    ci = dest / ".ci" / "run"
    if ci.exists():
        ci.write_text("".join(line for line in ci.read_text().splitlines(keepends=True)
                              if line.split()[:2] not in [["make", t] for t in INSTRUCTOR_TARGETS]))


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
    for_the_edition(dest)
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
