"""Hypothesis strategies for the exercise checks: anything a learner might put where the `...` was."""

from hypothesis import strategies as st

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.binary(max_size=10)
           | st.just(...) | st.just(float("nan")))
ANY_VALUE = st.recursive(SCALARS, lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                                                 | st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                         max_leaves=8)
ANY_FUNCTION = st.functions(like=lambda *args, **kwargs: None, returns=ANY_VALUE)
ANY_ANSWER = ANY_VALUE | ANY_FUNCTION


def never_raises_never_passes(check, value, *args, right=lambda value: False):
    """The property every check keeps: a Feedback back, whatever it is given, and no pass for a wrong answer."""
    feedback = check(value, *args)
    assert isinstance(feedback.ok, bool) and isinstance(feedback.message, str) and feedback.message
    assert not feedback.ok or right(value), (value, feedback.message)
