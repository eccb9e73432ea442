"""What every check shares: reading a learner's answer, whatever its type, and reporting without raising.

Inventory of concepts:
    an answer of any shape -> ``as_int`` / ``as_number`` / ``as_bool`` / ``as_text`` / ``as_list`` / ``as_mapping``
                              (the value, or None when it cannot be read that way)
    "what shape was expected" -> ``wrong_shape(expected, value)``, a Feedback naming both
    a dict answer with a misspelt or a missing key -> ``key_problem(given, cases)``, a sentence naming it
    a check that must never raise -> ``@never_raises``
    a stored answer the learner cannot copy -> ``digest(*parts)``, sha256 of the normalised text
    a learner's function vs the library's -> ``first_disagreement(yours, reference, cases)``
"""

from __future__ import annotations

import difflib
import dis
import functools
import hashlib
import inspect
import operator
import re
import types
from collections.abc import Mapping
from typing import Any, Callable, Iterable, NamedTuple

from . import NOT_ANSWERED, Feedback, failed, unanswered

TRUE_WORDS = {"true", "yes", "y", "retry", "1"}
FALSE_WORDS = {"false", "no", "n", "do not retry", "don't retry", "0"}


def as_int(value: Any) -> int | None:
    """``value`` as an int: ints (numpy's too), whole floats and digit strings such as ``"201"``; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return int(value.strip()) if re.fullmatch(r"[+-]?\d{1,18}", value.strip()) else None
    try:
        return operator.index(value)  # int, numpy integers
    except TypeError:
        pass
    number = as_number(value)
    return int(number) if number is not None and number.is_integer() else None


def as_number(value: Any) -> float | None:
    """``value`` as a finite float (ints, floats, numpy numbers, numeric strings); else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def as_bool(value: Any) -> bool | None:
    """``value`` as a yes/no: bools (numpy's too) and words such as "yes", "no", "retry"; else None."""
    if type(value).__name__ in ("bool", "bool_"):
        return bool(value)
    if isinstance(value, str):
        word = " ".join(value.strip().lower().split())
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
    number = as_int(value)  # 1 and 0 as numbers, as "1" and "0" are read as words
    return None if number not in (0, 1) else number == 1


def as_text(value: Any) -> str | None:
    """``value`` as a non-empty string with its whitespace collapsed; else None."""
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def as_list(value: Any) -> list | None:
    """``value`` as a list, from a list, tuple or 1-D array; else None (a string is not a list)."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and getattr(value, "ndim", None) == 1:  # numpy arrays, without importing numpy
        return list(value.tolist())
    return None


def as_mapping(value: Any) -> dict | None:
    """``value`` as a dict (any Mapping, e.g. a pandas Series' ``to_dict()``); else None."""
    return dict(value) if isinstance(value, Mapping) else None


def describe(value: Any) -> str:
    """A short phrase naming what the learner gave: "the string '201'", "a list of 3 items"."""
    if isinstance(value, str):
        return f"the string {value[:40]!r}" + ("..." if len(value) > 40 else "")
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return f"a {type(value).__name__} of {len(value)} item{'s' * (len(value) != 1)}"
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}" + ("..." if len(text) > 40 else "")


def wrong_shape(expected: str, value: Any) -> Feedback:
    """The verdict for an answer of the wrong type: what was expected, and what came."""
    return failed(f"expected {expected}; you gave {describe(value)}.")


def key_problem(given: Mapping, cases: Iterable[str], noun: str = "cases") -> str | None:
    """What is wrong with the keys of a dict answer, or None: first a key that is none of ``cases`` (and the case
    it most looks like: a typo, a stray space), else the cases still to answer."""
    cases = list(cases)
    for key in given:
        if key not in cases:
            near = difflib.get_close_matches(str(key), cases, n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}? Copy" if near else "copy"
            return (f"{key!r} is not one of the {noun}; {hint} the keys from the printed list (a key must match "
                    "exactly, spaces included).")
    missing = [case for case in cases if case not in given]
    return f"still to answer: {', '.join(repr(case) for case in missing)}." if missing else None


def never_raises(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
    """``check``, turned so that any exception becomes a failed Feedback instead of a traceback.

    A check reads whatever a learner typed, so a broad except is the point here: an odd answer
    must get a sentence, not a stack trace that hides the exercise.
    """
    @functools.wraps(check)
    def safe(*args: Any, **kwargs: Any) -> Feedback:
        if args and unanswered(args[0]):
            return NOT_ANSWERED
        try:
            return check(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - see the docstring
            return failed(f"the check could not read this answer ({type(exc).__name__}: {exc}). "
                          f"It expects: {(check.__doc__ or '').strip().splitlines()[0]}")
    return safe


def own_function(value: Any, shape: str) -> Feedback | None:
    """None if ``value`` is a function the learner wrote, callable as ``shape`` shows; else a Feedback saying why not."""
    if not callable(value):
        return wrong_shape(shape, value)
    if str(getattr(value, "__module__", "")).startswith("apidesign"):
        return failed(f"that is the library's {getattr(value, '__name__', 'function')}; the exercise is to write "
                      f"{shape.removeprefix('a function ')} yourself, in the notebook.")
    return arity_problem(value, shape)


def arity_problem(fn: Callable[..., Any], shape: str) -> Feedback | None:
    """A Feedback if ``fn`` cannot take the arguments ``shape`` ("a function f(a, b)") names; else None."""
    wanted = re.search(r"(\w+)\(([^)]*)\)", shape)
    if wanted is None:
        return None
    params = [p for p in wanted.group(2).split(",") if p.strip()]
    try:
        inspect.signature(fn).bind(*[None] * len(params))
    except TypeError:
        count = {1: "one argument", 2: "two arguments", 3: "three arguments", 4: "four arguments"}.get(
            len(params), f"{len(params)} arguments")
        return failed(f"the check calls {wanted.group(0)} with {count}; yours is "
                      f"{getattr(fn, '__name__', 'it')}{inspect.signature(fn)}.")
    except ValueError:  # no signature to read (a builtin): let the calls speak
        pass
    return None


def names_used(fn: Any, depth: int = 2) -> set[str]:
    """The global and attribute names ``fn``'s code uses, and those of the functions it calls, ``depth`` deep."""
    names = set()
    for code in _codes(fn):
        names |= set(code.co_names)
    if depth:
        for name in globals_used(fn):
            called = getattr(fn, "__globals__", {}).get(name)
            if isinstance(called, types.FunctionType):
                names |= names_used(called, depth - 1)
    return names


def _codes(fn: Any) -> list[types.CodeType]:
    """``fn``'s code object and those nested in it (lambdas, comprehensions, inner functions)."""
    code = getattr(fn, "__code__", None)
    codes, found = ([code] if code is not None else []), []
    while codes:
        c = codes.pop()
        found.append(c)
        codes += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    return found


def globals_used(fn: Any) -> set[str]:
    """The names ``fn``'s code reads as globals: ``show`` in ``show(x)``, never the attribute in ``r.show``."""
    return {ins.argval for code in _codes(fn) for ins in dis.get_instructions(code)
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}


def imported_in(fn: Any) -> set[str]:
    """The modules ``fn``'s code imports itself, by a statement or by name in a string ("importlib.import_module")."""
    modules = set()
    for code in _codes(fn):
        modules |= {ins.argval for ins in dis.get_instructions(code) if ins.opname == "IMPORT_NAME"}
        modules |= {k for k in code.co_consts if isinstance(k, str) and re.fullmatch(r"[A-Za-z_][\w.]*", k)}
    return modules


def borrowed(fn: Any, packages: tuple[str, ...]) -> str | None:
    """The name of a module, class or function from ``packages`` that ``fn`` (or a function it calls) uses, or None.

    How a check tells "wrote it" from "called the reference": ``lambda *a: exercises._server_status(*a)``
    is the library's answer, whatever its own module says; so is an import of ``packages`` inside the
    function. Only globals are looked up (``r.show = 1`` uses no ``show``). What reads code cannot see,
    ``globals()["exercises"]``, only fools the learner's own notebook: the grader (tools/grade.py) runs a
    function answer where that global does not exist.
    """
    def origin(obj: Any) -> str:
        return str(obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", "") or "")

    def ours(name: str) -> bool:
        return any(name == p or name.startswith(p + ".") for p in packages)

    functions, seen = [fn], set()
    while functions:
        f = functions.pop()
        if id(f) in seen or not isinstance(f, types.FunctionType):
            continue
        seen.add(id(f))
        imported = next((m for m in sorted(imported_in(f)) if ours(m)), None)
        if imported is not None:
            return imported
        used = [f.__globals__.get(n) for n in globals_used(f)]
        used += [cell.cell_contents for cell in f.__closure__ or () if assigned(cell)]
        for obj in used:
            if obj is not None and ours(origin(obj)):
                return getattr(obj, "__name__", repr(obj))
        functions += [obj for obj in used if isinstance(obj, types.FunctionType)]
    return None


def assigned(cell: Any) -> bool:
    """Whether a closure cell holds a value yet."""
    try:
        cell.cell_contents
    except ValueError:  # a closure variable not yet assigned
        return False
    return True


def normalise(text: Any) -> str:
    """Lower case, single spaces: the form answers are compared and digested in."""
    return " ".join(str(text).lower().split())


def digest(*parts: Any) -> str:
    """The sha256 (hex) of the normalised parts joined by '|': how a stored answer is kept out of reach."""
    return hashlib.sha256("|".join(normalise(p) for p in parts).encode()).hexdigest()


class Disagreement(NamedTuple):
    """The first case on which a learner's function and the reference differ (or the learner's raised)."""

    case: Any
    yours: Any
    reference: Any
    error: str = ""


def call(fn: Callable[..., Any], *args: Any) -> tuple[Any, str]:
    """``(fn(*args), "")``, or ``(None, "ValueError: ...")`` when the learner's function raised."""
    try:
        return fn(*args), ""
    except Exception as exc:  # noqa: BLE001 - a learner's function may raise anything; report it
        return None, f"{type(exc).__name__}: {exc}"


def first_disagreement(yours: Callable[..., Any], reference: Callable[..., Any], cases: Iterable[tuple],
                       same: Callable[[Any, Any], bool] = operator.eq) -> Disagreement | None:
    """The first case (cases come smallest first) where ``yours(*case)`` differs from ``reference(*case)``."""
    for case in cases:
        want = reference(*case)
        got, error = call(yours, *case)
        if error or not same(got, want):
            return Disagreement(case, got, want, error)
    return None
