"""Checked exercises: each ``check_...`` function looks at a learner's answer and says what is wrong.

One module per chapter (``exercises.ratelimit``, ...). A check returns ``Feedback``,
which renders as one line in a notebook, so an unanswered exercise shows a hint
rather than an error, and the notebook still runs top to bottom.

Three kinds of exercise: *recall* (a value; the check derives the right one from the
library or the live API, or compares a digest), *implement it* (a function; the check
runs it against the library's reference on generated cases and shows the smallest
disagreement) and *design it* (a markdown design; ``briefs`` runs the reviewer and
looks for the brief's core flows and reasoned decisions). ``answers`` holds what
every check shares: reading answers of any type, and never raising.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: did it pass, and a specific sentence saying why."""

    ok: bool
    message: str

    def __str__(self) -> str:
        return ("✓ " if self.ok else "✗ ") + self.message

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return self.ok


def passed(message: str) -> Feedback:
    return Feedback(True, message)


def failed(message: str) -> Feedback:
    return Feedback(False, message)


NOT_ANSWERED = failed("Not answered yet: replace the `...` with your answer and run the cell again.")


def unanswered(answer) -> bool:
    """True for the placeholders a fresh exercise cell holds (``...`` or None)."""
    return answer is ... or answer is None
