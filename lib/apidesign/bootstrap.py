"""The rest of the setup when a notebook runs outside the course's folder (Colab, or a notebook opened on its own).

Each notebook's first code cell (written by ``tools/badges.py``) does nothing where ``apidesign`` is
importable. Elsewhere it clones the course, puts the clone's ``lib/`` on ``sys.path`` (a running kernel
does not see a new editable install until it restarts) and calls ``finish`` from the clone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

# The host brings its own Jupyter: installing the course's pins of these over a hosted kernel's own
# can break that kernel when it restarts. ``-e .`` is the course itself, which the cell put on sys.path.
HOSTS_OWN = ("jupyterlab", "jupyterlab-rise", "ipykernel", "nbconvert", "nbformat", "nbclient")

# Extra pip options, split on spaces. The tests set "--dry-run --no-index": pip checks every pin
# against the packages already installed and downloads nothing.
PIP_OPTIONS = "APIDESIGN_PIP_OPTIONS"

PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)")


def kernel_requirements(course: Path) -> list[str]:
    """The pinned lines of the course's requirements.txt that a kernel needs ("flask==3.1.3", ...)."""
    pins = []
    for line in (course / "requirements.txt").read_text().splitlines():
        match = PIN.match(line.split("#", 1)[0].strip())
        if match and match.group(1).lower() not in HOSTS_OWN:
            pins.append(match.group(0))
    return pins


def install(course: Path) -> None:
    """pip-install the kernel's requirements into the running interpreter's environment."""
    options = os.environ.get(PIP_OPTIONS, "").split()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *options, *kernel_requirements(course)],
                   check=True)


def stale_modules(pins: list[str]) -> list[str]:
    """Modules loaded before the install at another version than their pin: only a restart loads the new one."""
    stale = []
    for pin in pins:
        name, _, version = PIN.match(pin).groups()
        module = sys.modules.get(name.lower().replace("-", "_"))
        with warnings.catch_warnings():  # Flask warns that __version__ will go; it is the loaded version's only record
            warnings.simplefilter("ignore", DeprecationWarning)
            loaded = getattr(module, "__version__", None)
        if isinstance(loaded, str) and loaded != version:
            stale.append(f"{name} {loaded} (now {version})")
    return stale


def finish(course: Path) -> None:
    """Install what the kernel needs, and work from the clone's notebooks/ folder, as the course does."""
    course = Path(course).resolve()
    install(course)
    stale = stale_modules(kernel_requirements(course))
    if stale:
        raise RuntimeError("The course installed newer versions of packages this kernel had already loaded: "
                           f"{', '.join(stale)}. Restart the kernel (Colab: Runtime > Restart session), "
                           "then run this cell again.")
    os.chdir(course / "notebooks")
