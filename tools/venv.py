"""Create or update a virtual environment from pinned requirement files, with uv when it can be had.

    python3 tools/venv.py .venv requirements.txt                 # what `make lab` needs
    python3 tools/venv.py .venv requirements-dev.txt             # plus the test tools (`make test`)
    python3 tools/venv.py --python python3.12 .venv-3.12 requirements-dev.txt
    python3 tools/venv.py --which 3.12                           # the path of a working python3.12, or nothing

uv fills an environment several times faster than pip (measured in the README), so it is used
when it is on PATH or can be installed into a small bootstrap environment (`.venv-uv/`); plain pip
is the fallback. This file runs on any Python 3, so an older interpreter gets a clear message
instead of a pip resolver error about pandas or numpy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM = (3, 11)  # pandas 3.1, numpy 2.4, matplotlib 3.11 and schemathesis 4 need 3.11
BOOTSTRAP = Path(".venv-uv")


def python_version(python: str) -> tuple[int, int] | None:
    """(major, minor) of the interpreter ``python``, or None when it does not run."""
    try:
        out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    major, minor = out.split()
    return int(major), int(minor)


def require_supported(python: str) -> None:
    """Stop with a sentence a learner can act on when ``python`` is missing or too old."""
    version = python_version(python)
    if version is None:
        sys.exit(f"{python} did not run. Install Python {MINIMUM[0]}.{MINIMUM[1]} or newer "
                 "and run make again (or: make lab PYTHON=python3.12)."
                 " Without a python3.12 package (Ubuntu 22.04 has none): uv python install 3.12, then "
                 "make lab PYTHON=$(uv python find 3.12); or add the deadsnakes PPA "
                 "(sudo add-apt-repository ppa:deadsnakes/ppa; sudo apt install python3.12 python3.12-venv).")
    if version < MINIMUM:
        sys.exit(f"API Design Lab needs Python {MINIMUM[0]}.{MINIMUM[1]} or newer; {python} is "
                 f"{version[0]}.{version[1]}. Install a newer Python and run, for example: "
                 "make lab PYTHON=python3.12."
                 " Without a python3.12 package (Ubuntu 22.04 has none): uv python install 3.12, then "
                 "make lab PYTHON=$(uv python find 3.12); or add the deadsnakes PPA "
                 "(sudo add-apt-repository ppa:deadsnakes/ppa; sudo apt install python3.12 python3.12-venv).")


def find_python(version: str) -> str | None:
    """A working ``pythonX.Y`` for ``version`` ("3.12"): on PATH, or in pyenv's versions folder; else None."""
    name = f"python{version}"
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which(name), *sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/{name}"))]
    return next((c for c in candidates if c and python_version(c) == tuple(map(int, version.split(".")))), None)


def find_uv() -> str | None:
    """A working uv: on PATH, in the bootstrap environment, or freshly installed there; else None."""
    if os.environ.get("APIDESIGN_NO_UV"):
        return None
    bootstrap_uv = BOOTSTRAP / "bin" / "uv"
    for candidate in (shutil.which("uv"), str(bootstrap_uv)):
        if candidate and Path(candidate).exists():
            return candidate
    try:
        subprocess.run([sys.executable, "-m", "venv", str(BOOTSTRAP)], check=True)
        subprocess.run([str(BOOTSTRAP / "bin" / "python"), "-m", "pip", "install", "--quiet", "uv"], check=True)
    except (OSError, subprocess.CalledProcessError):
        print("uv could not be installed; using pip (slower, same result).", file=sys.stderr)
        return None
    return str(bootstrap_uv)


def install(python: str, venv: Path, requirements: list[str]) -> None:
    """Make ``venv`` (if missing) with ``python`` and install exactly the pinned ``requirements``."""
    uv = find_uv()
    reqs = [arg for r in requirements for arg in ("-r", r)]
    venv_python = str(venv / "bin" / "python")
    if uv:
        if not Path(venv_python).exists():
            subprocess.run([uv, "venv", "--quiet", "--seed", "--python", python, str(venv)], check=True)
        subprocess.run([uv, "pip", "install", "--quiet", "--python", venv_python, *reqs], check=True)
    else:
        if not Path(venv_python).exists():
            subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([venv_python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *reqs],
                       check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default="python3", help="the interpreter to build the environment on")
    parser.add_argument("--which", metavar="X.Y", help="only print the path of a working pythonX.Y (nothing if none)")
    parser.add_argument("venv", type=Path, nargs="?")
    parser.add_argument("requirements", nargs="*")
    args = parser.parse_args(argv)
    if args.which:
        print(find_python(args.which) or "")
        return
    if args.venv is None or not args.requirements:
        parser.error("give a virtual environment folder and at least one requirements file")
    require_supported(args.python)
    install(args.python, args.venv, args.requirements)


if __name__ == "__main__":
    main()
