"""Two patch formats, applied twice: JSON Merge Patch (RFC 7396) sets values, JSON Patch (RFC 6902) runs operations.

``PATCH`` is "neither safe nor idempotent" in general (RFC 5789 section 2): whether sending a
patch twice equals sending it once depends on the format and the patch, not on the method.
A merge patch says what members become, so a second application changes nothing. A JSON
Patch is a list of operations, and ``add`` to an array's ``-`` index appends (RFC 6902
section 4.1), so every retry appends again. The API accepts merge patches only; these
functions exist to compare the two formats. ``json_patch`` follows RFC 6902 and the JSON
Pointers of RFC 6901: a target that must exist and does not, an array index past the end,
``-`` anywhere but an ``add``, or a failed ``test`` is a ``PatchError``, and the whole patch
fails (section 5).
"""

from __future__ import annotations

import copy
import re
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


class PatchError(ValueError):
    """A JSON Patch that cannot be applied; the whole patch fails and the document is left as it was (RFC 6902 section 5)."""


def json_patch(document: Any, operations: list[dict]) -> Any:
    """RFC 6902: the operations applied in order to a copy of ``document``; a ``PatchError`` if any one fails."""
    if not isinstance(operations, list):
        raise PatchError("a JSON Patch is an array of operations (RFC 6902 section 3)")
    document = copy.deepcopy(document)
    for n, operation in enumerate(operations):
        try:
            document = apply_operation(document, operation)
        except PatchError as failed:
            raise PatchError(f"operation {n} ({operation!r}): {failed}") from None
    return document


def apply_operation(document: Any, operation: dict) -> Any:
    """One operation (RFC 6902 sections 4.1-4.6); the document after it (a new one when the path is "", the root)."""
    if not isinstance(operation, dict) or operation.get("op") not in OPERATIONS:
        raise PatchError(f"op must be one of {', '.join(OPERATIONS)} (RFC 6902 section 4)")
    kind, path = operation["op"], member(operation, "path")
    if kind == "add":
        return add(document, path, copy.deepcopy(member(operation, "value")))
    if kind == "remove":
        return remove(document, path)[0]
    if kind == "replace":  # "functionally identical to a remove ... followed immediately by an add" (section 4.3)
        value = copy.deepcopy(member(operation, "value"))
        return value if path == "" else add(remove(document, path)[0], path, value)
    if kind == "test":
        if not json_equal(get(document, path), member(operation, "value")):
            raise PatchError(f"test failed: the value at {path!r} is not the one given (section 4.6)")
        return document
    source = member(operation, "from")
    if kind == "move":
        if path.startswith(source + "/"):
            raise PatchError("a value cannot be moved into one of its own children (section 4.4)")
        if path == source:  # a remove then an add of the same value there: nothing changes, even at the root ""
            get(document, source)  # but "from" MUST exist
            return document
        document, value = remove(document, source)
        return add(document, path, value)
    return add(document, path, copy.deepcopy(get(document, source)))  # copy


OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")


def member(operation: dict, name: str) -> Any:
    """A member the operation MUST have: ``path`` always, ``value`` or ``from`` depending on the op (section 4)."""
    if name not in operation:
        raise PatchError(f"a {operation['op']} operation needs a {name!r} member (RFC 6902 section 4)")
    if name in ("path", "from"):
        pointer(operation[name])  # a syntax error is reported before anything is looked up
    return operation[name]


def pointer(path: str) -> list[str]:
    """RFC 6901: the reference tokens of a JSON Pointer; "" is the whole document, else each token follows a "/"."""
    if not isinstance(path, str) or (path and not path.startswith("/")) or re.search("~(?![01])", path):
        raise PatchError(f"{path!r} is not a JSON Pointer (RFC 6901 section 3)")
    return [token.replace("~1", "/").replace("~0", "~") for token in path.split("/")[1:]]


def get(document: Any, path: str) -> Any:
    """The value ``path`` points at; a ``PatchError`` if there is none (RFC 6901 section 4)."""
    value = document
    for token in pointer(path):
        value = child(value, token, path)
    return value


def child(container: Any, token: str, path: str) -> Any:
    """One step of a pointer: an object's member or an existing array element."""
    if isinstance(container, dict) and token in container:
        return container[token]
    if isinstance(container, list) and array_index(token, path) < len(container):
        return container[int(token)]
    raise PatchError(f"{path!r} points at nothing: no {token!r} there (RFC 6901 section 4)")


def array_index(token: str, path: str) -> int:
    """An array index per RFC 6901 section 4: "0", or digits without a leading zero; "-" only where ``add`` allows it."""
    if not re.fullmatch("0|[1-9][0-9]*", token):
        raise PatchError(f"{token!r} in {path!r} is not an array index (RFC 6901 section 4; "
                         "'-', the end of the array, only for add)")
    return int(token)


def parent(document: Any, path: str) -> tuple[Any, str]:
    """The object or array that holds the target location of ``path``, and the last token; it MUST exist."""
    *above, last = pointer(path)
    container = document
    for token in above:
        container = child(container, token, path)
    if not isinstance(container, (dict, list)):
        raise PatchError(f"{path!r}: its parent is not an object or an array (RFC 6902 section 4.1)")
    return container, last


def add(document: Any, path: str, value: Any) -> Any:
    """Section 4.1: insert into an array (at an index up to its size, or "-" for the end), or set an object's member."""
    if path == "":
        return value  # the whole document is replaced
    container, last = parent(document, path)
    if isinstance(container, dict):
        container[last] = value
        return document
    index = len(container) if last == "-" else array_index(last, path)
    if index > len(container):
        raise PatchError(f"{path!r}: index {index} is past the end of an array of {len(container)} (section 4.1)")
    container.insert(index, value)
    return document


def remove(document: Any, path: str) -> tuple[Any, Any]:
    """Section 4.2: the document without the value at ``path``, which MUST exist, and that value."""
    if path == "":
        raise PatchError("removing the whole document leaves no document (RFC 6902 section 4.2)")
    container, last = parent(document, path)
    value = child(container, last, path)
    if isinstance(container, dict):
        del container[last]
    else:
        del container[int(last)]
    return document, value


def json_equal(a: Any, b: Any) -> bool:
    """Section 4.6's equality: same JSON type and value; numbers compare by value; ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) is str and a == b
