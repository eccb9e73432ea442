"""Where the course's files live, found from the package (works for the editable install)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CACHE = DATA / "cache"  # generated, git-ignored (e.g. the 1M-message database)
NOTEBOOKS = ROOT / "notebooks"
