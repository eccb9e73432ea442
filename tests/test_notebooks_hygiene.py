"""Committed notebooks read well on GitHub, stay honest under nbval, and run in the environment `make lab` builds."""

import ast
import json
import re
from importlib import metadata

import pytest

from apidesign.paths import NOTEBOOKS, ROOT

NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_the_course_has_a_start_here_notebook():
    assert (NOTEBOOKS / "00-start-here.ipynb") in NOTEBOOK_FILES


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_no_widget_state_in_metadata(path):
    assert "widgets" not in load(path)["metadata"], "strip widget state: make strip"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_no_committed_error_outputs(path):
    for cell in code_cells(load(path)):
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        assert not errors, f"error output committed in cell: {''.join(cell['source'])[:80]!r}"


def never_run_setup_cell(cell):
    """The setup cell (tools/badges.py) as inserted: it prints nothing where the course is installed, so inserting
    it needs no re-run of the notebook; until the next `make execute` it has no number and no output."""
    return cell.get("id") == "course-setup" and cell["execution_count"] is None and not cell["outputs"]


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_outputs_are_committed_and_in_execution_order(path):
    cells = [c for c in code_cells(load(path)) if not never_run_setup_cell(c)]
    counts = [c["execution_count"] for c in cells]
    assert all(counts), "every code cell was executed before committing (make execute)"
    assert counts == list(range(1, len(cells) + 1)), "outputs come from one top-to-bottom run in a fresh kernel"


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebook_uses_the_course_kernel(path):
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"


def requirement_names(path):
    """The distribution names a requirements file pins, normalised (PEP 503): {"fakeredis", "pytest", ...}."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):  # -r and -e lines name files and folders, not packages
            names.add(normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line).group(0)))
    return names


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def dev_only_names():
    """Distributions, and the modules they install, that `make test` adds but `make lab` does not."""
    dists = requirement_names(ROOT / "requirements-dev.txt") - requirement_names(ROOT / "requirements.txt")
    modules = {m for m, owners in metadata.packages_distributions().items()
               if all(normalise(d) in dists for d in owners)}
    return dists, modules


def dev_only_packages_in(source, dists, modules):
    """The dev-only packages a cell imports, or names in a string (as in ``metadata.version("pytest")``)."""
    tree = ast.parse(source)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    strings = {normalise(n.value.strip()) for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return ({m.split(".")[0] for m in imported} & modules) | (strings & dists)


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.name)
def test_notebooks_name_no_package_that_only_the_test_tools_install(path):
    """`make lab` installs requirements.txt only: a cell that imports pytest, or asks for nbval's version, fails."""
    dists, modules = dev_only_names()
    for cell in code_cells(load(path)):
        source = "".join(cell["source"])
        found = dev_only_packages_in(source, dists, modules)
        assert not found, f"only requirements-dev.txt installs {sorted(found)}, used in {source[:80]!r}"


def test_the_dev_only_check_catches_the_version_list_that_broke_make_lab():
    dists, modules = dev_only_names()
    old_cell = 'for package in ["flask", "pytest", "nbval"]:\n    print(metadata.version(package))'
    assert dev_only_packages_in(old_cell, dists, modules) == {"pytest", "nbval"}
    imports = "import hypothesis\nfrom _pytest import fixtures"
    assert dev_only_packages_in(imports, dists, modules) == {"hypothesis", "_pytest"}
    assert not dev_only_packages_in('metadata.version("flask")\nimport requests', dists, modules)
