"""API Design Lab: the reference implementations the notebooks import.

Each module is one concept: `clock`, `store`, `errors`, `envelope`, `server`, ...
Import what you need from the module that names it, e.g. ``from apidesign.clock import FakeClock``.
"""

__version__ = "0.1.0"
