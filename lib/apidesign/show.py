"""Quote the library in a notebook instead of copying it.

``show(obj)`` renders the real source of a function, class or module, with the
file and line numbers it came from, so the prose always matches the code.
"""

from __future__ import annotations

import inspect
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def source_of(obj) -> tuple[str, str]:
    """(location, source text) of ``obj``; location is like ``apidesign/clock.py, lines 45-67``."""
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj)).resolve()
    try:
        where = path.relative_to(PACKAGE_ROOT.parent).as_posix()
    except ValueError:
        where = path.name
    span = f"lines {start}-{start + len(lines) - 1}" if start else "whole file"
    return f"{where}, {span}", "".join(lines)


def show(obj):
    """A Markdown block with the source of ``obj`` (renders in Jupyter and on GitHub)."""
    from IPython.display import Markdown
    where, text = source_of(obj)
    return Markdown(f"`{where}`\n\n```python\n{text.rstrip()}\n```")
