"""No exercise passes by copying a name its exercise module exposes: questions and answers are kept apart."""

import random

import pytest

from apidesign.exercises import auth, capstone, consistency, idempotency, protocols, ratelimit, rest
from apidesign.protocols.hol import Scenario
from apidesign.protocols.polling import message_times

EXTRA = {"check_polling_interval": (message_times(60, 0.2, random.Random(2026)), 0.1, 1.5,
                                    (0.5, 1.0, 2.0, 3.0, 5.0, 10.0)),
         "check_stalled_streams": (Scenario(streams=12, packets=30, loss=0.05, rtt=0.1, seed=4),),
         "check_design": ("url-shortener",)}


def public_values(module):
    return {name: getattr(module, name) for name in dir(module)
            if not name.startswith("_") and not name.startswith("check_")}


@pytest.mark.parametrize("module", [protocols, rest, ratelimit, idempotency, auth, capstone, consistency],
                         ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_no_public_name_of_the_module_passes_any_of_its_checks(module):
    checks = {name: getattr(module, name) for name in dir(module)
              if name.startswith("check_") and getattr(module, name).__module__ == module.__name__}
    for check_name, check in checks.items():
        for name, value in public_values(module).items():
            feedback = check(value, *EXTRA.get(check_name, ()))
            assert not feedback.ok, f"{module.__name__}.{check_name}({name}) passed"


# What every chapter's cheat detectors (answers.borrowed, auth's library check) read: globals, not attributes.
def sets_attributes_named_like_course_globals(x):
    class Note:
        pass
    note = Note()
    note.show, note.consistency, note.jwt = 1, 2, 3
    return x


def calls_a_course_global(x):
    return consistency._server_status(*x)


def imports_the_course_inside(x):
    from apidesign.exercises import consistency as reference
    return reference._server_status(*x)


def test_attribute_names_are_not_taken_for_the_globals_they_share_a_name_with(monkeypatch):
    from apidesign import jwt, show
    from apidesign.exercises.answers import borrowed, globals_used
    for name, value in (("show", show), ("jwt", jwt), ("consistency", consistency)):
        monkeypatch.setitem(sets_attributes_named_like_course_globals.__globals__, name, value)
    assert "show" not in globals_used(sets_attributes_named_like_course_globals)
    assert borrowed(sets_attributes_named_like_course_globals, ("apidesign",)) is None
    assert auth._a_library(sets_attributes_named_like_course_globals) is None
    assert borrowed(calls_a_course_global, ("apidesign",)) == "apidesign.exercises.consistency"
    assert borrowed(imports_the_course_inside, ("apidesign",)) == "apidesign.exercises"
