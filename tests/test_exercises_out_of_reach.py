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
