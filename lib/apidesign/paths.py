"""Where the course's files live, found from the package (works for the editable install)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CACHE = DATA / "cache"  # the repository's cache: generated, git-ignored (e.g. the 1M-message database)
NOTEBOOKS = ROOT / "notebooks"


def user_cache() -> Path:
    """The user's own cache folder: ``$XDG_CACHE_HOME/apidesign``, else ``~/.cache/apidesign``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "apidesign"


def writable(folder: Path) -> bool:
    """True if ``folder`` exists (or can be made) and a file can be created in it: tried, not guessed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def cache_path(*parts: str) -> Path:
    """Where the generated file (or folder) ``parts`` lives; the one place the package decides it.

    ``$APIDESIGN_CACHE`` wins if set. Otherwise the repository's ``data/cache`` is used if it already
    holds the file (prebuilt, e.g. by root on a JupyterHub) or if this user can write there; if not
    (a root-owned install), the user's own cache folder (see ``user_cache``).
    """
    if os.environ.get("APIDESIGN_CACHE"):
        return Path(os.environ["APIDESIGN_CACHE"]).joinpath(*parts)
    repo = CACHE.joinpath(*parts)
    if repo.exists() or writable(CACHE):
        return repo
    return user_cache().joinpath(*parts)
