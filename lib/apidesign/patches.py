"""Two patch formats, applied twice: JSON Merge Patch (RFC 7396) sets values, JSON Patch (RFC 6902) runs operations.

``PATCH`` is "neither safe nor idempotent" in general (RFC 5789 section 2): whether sending a
patch twice equals sending it once depends on the format and the patch, not on the method.
A merge patch says what members become, so a second application changes nothing. A JSON
Patch is a list of operations, and ``add`` to an array's ``-`` index appends (RFC 6902
section 4.1), so every retry appends again. The API accepts merge patches only; these two
small functions exist to compare them.
"""

from __future__ import annotations

import copy
from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 section 2: members of ``patch`` replace those of ``target``; ``null`` removes one; objects merge."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def json_patch(document: Any, operations: list[dict]) -> Any:
    """RFC 6902, its ``add`` and ``replace`` operations (sections 4.1 and 4.3), on a copy of ``document``."""
    document = copy.deepcopy(document)
    for op in operations:
        if op["op"] not in ("add", "replace"):
            raise ValueError(f"only add and replace are implemented here, not {op['op']!r}")
        *parents, last = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]  # RFC 6901
        container = document
        for part in parents:
            container = container[int(part) if isinstance(container, list) else part]
        if isinstance(container, list) and op["op"] == "add":
            container.insert(len(container) if last == "-" else int(last), op["value"])
        else:
            container[int(last) if isinstance(container, list) else last] = op["value"]
    return document
