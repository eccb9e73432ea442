"""The setup cell every notebook starts with: nothing where the course is installed; elsewhere it fetches the course.

The "elsewhere" is real: a Python process in which ``apidesign`` cannot be imported runs the cell against a
``file://`` repository of this course, and must end up importing the clone's library and reading its data.
Only the package install is trimmed: pip checks every pin against the packages already here (``--dry-run
--no-index``) instead of downloading them.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import types
from importlib import metadata

import pytest

from apidesign import bootstrap
from apidesign.paths import ROOT

spec = importlib.util.spec_from_file_location("tool_badges", ROOT / "tools" / "badges.py")
badges = importlib.util.module_from_spec(spec)
spec.loader.exec_module(badges)

# Run in a fresh interpreter: hide this course's lib/ (the editable install's path entry), then run the cell.
RUN_THE_CELL = """
import json, os, sys
from pathlib import Path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path({lib!r}).resolve()]
import importlib.util
assert importlib.util.find_spec("apidesign") is None, "apidesign is still importable"
exec(compile({source!r}, "<setup cell>", "exec"), {{"__name__": "__main__"}})
{after}
"""


def run_cell(source, cwd, after="", env=None):
    script = RUN_THE_CELL.format(lib=str(ROOT / "lib"), source=source, after=after)
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def pins_installed():
    """True when every pin a kernel needs is the version installed here (not so in `make test-latest`)."""
    for pin in bootstrap.kernel_requirements(ROOT):
        name, _, version = bootstrap.PIN.match(pin).groups()
        try:
            if metadata.version(name) != version:
                return False
        except metadata.PackageNotFoundError:
            return False
    return True


@pytest.fixture
def published(tmp_path):
    """A git repository holding this working tree's course files, as a published course would (file:// URL)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and the course as a git repository")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    origin = tmp_path / "published" / "api-design-lab"
    for rel in filter(None, listed.split("\0")):
        if (ROOT / rel).is_file():
            (origin / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, origin / rel)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "-C", str(origin)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "published"], check=True)
    return origin


def test_where_the_course_is_installed_the_cell_prints_nothing_runs_nothing_and_touches_nothing(tmp_path):
    script = f"""
import os, socket, subprocess, sys
def refuse(*args, **kwargs):
    raise AssertionError("the setup cell used the network or ran a command")
subprocess.run = subprocess.Popen = socket.socket = socket.create_connection = refuse
before = (os.getcwd(), list(sys.path), sorted(os.listdir()))
exec(compile({badges.setup_source("https://github.com/owner/name")!r}, "<setup cell>", "exec"), {{}})
assert (os.getcwd(), list(sys.path), sorted(os.listdir())) == before
"""
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert (run.stdout, run.stderr) == ("", "")


def test_outside_the_course_the_cell_clones_it_and_then_the_library_and_its_data_work(published, tmp_path):
    if not pins_installed():
        pytest.skip("the installed packages are not the pinned ones, so pip --no-index cannot confirm the pins")
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("pip is not installed in this environment")
    colab = tmp_path / "content"  # Colab's working folder
    colab.mkdir()
    after = """
import apidesign
from apidesign.paths import ROOT
from apidesign.protocols.chooser import TABLE, Requirements, choose
print(json.dumps({"package": apidesign.__file__, "root": str(ROOT), "cwd": os.getcwd(), "table": str(TABLE),
                  "choice": choose(Requirements("server-push")).protocol}))
"""
    env = {**os.environ, bootstrap.PIP_OPTIONS: "--dry-run --no-index"}
    run = run_cell(badges.setup_source(published.as_uri()), colab, after, env)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    clone = colab / "api-design-lab"
    assert found["package"] == str(clone / "lib" / "apidesign" / "__init__.py")
    assert found["root"] == str(clone) and found["cwd"] == str(clone / "notebooks")
    assert found["table"] == str(clone / "data" / "protocol_chooser.csv") and found["choice"]
    shallow = subprocess.run(["git", "-C", str(clone), "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert shallow == "true"


def test_a_second_run_in_a_new_kernel_reuses_the_clone(published, tmp_path):
    """After a restart (say Colab asked for one) the cell runs again: the clone is there, nothing is fetched twice."""
    colab = tmp_path / "content"
    (colab / "api-design-lab" / "lib" / "apidesign").mkdir(parents=True)
    (colab / "api-design-lab" / "lib" / "apidesign" / "__init__.py").write_text("")
    (colab / "api-design-lab" / "lib" / "apidesign" / "bootstrap.py").write_text(
        "def finish(course):\n    print('finish', course.name)\n")
    run = run_cell(badges.setup_source("https://github.com/nobody/api-design-lab"), colab)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "finish api-design-lab\n"  # no clone attempted: that URL does not exist


def test_without_a_published_address_the_cell_stops_and_says_what_to_do(tmp_path):
    run = run_cell(badges.setup_source(""), tmp_path)
    assert run.returncode != 0
    assert "RuntimeError" in run.stderr and "make badges REPO=https://github.com/OWNER/NAME" in run.stderr
    assert os.listdir(tmp_path) == []


def test_the_kernel_gets_every_pin_but_the_hosts_own_jupyter_and_the_course_itself():
    pins = bootstrap.kernel_requirements(ROOT)
    names = {bootstrap.PIN.match(p).group(1).lower() for p in pins}
    lines = [line.split("#", 1)[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    pinned = {line.split("==")[0].split("[")[0].lower() for line in lines if "==" in line}
    assert names == pinned - set(bootstrap.HOSTS_OWN)
    assert {"flask", "pandas", "ipywidgets", "fakeredis"} <= names and not names & {"jupyterlab", "ipykernel"}
    assert any(p.startswith("fakeredis[lua]==") for p in pins)  # extras kept: fakeredis runs Lua with lupa


def test_a_package_loaded_before_the_install_at_another_version_asks_for_a_restart(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", types.SimpleNamespace(__version__="2.0.2"))
    assert bootstrap.stale_modules(["numpy==2.4.6", "flask==3.1.3"]) == ["numpy 2.0.2 (now 2.4.6)"]
    monkeypatch.setitem(sys.modules, "numpy", types.SimpleNamespace(__version__="2.4.6"))
    assert bootstrap.stale_modules(["numpy==2.4.6"]) == []


def test_finish_stops_with_the_restart_message_instead_of_working_on_stale_packages(monkeypatch, tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "requirements.txt").write_text("numpy==2.4.6\njupyterlab==4.6.6\n-e .\n")
    installed = []
    monkeypatch.setattr(bootstrap, "install", installed.append)
    monkeypatch.setitem(sys.modules, "numpy", types.SimpleNamespace(__version__="2.0.2"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match=r"numpy 2\.0\.2 \(now 2\.4\.6\).*Restart"):
        bootstrap.finish(tmp_path)
    assert installed == [tmp_path] and os.getcwd() == str(tmp_path)
