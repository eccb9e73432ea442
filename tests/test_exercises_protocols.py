"""The 01-protocols checks: model answers pass in any spelling, wrong ones get their own hint, nothing raises."""

import random

import numpy as np
import pytest
from hypothesis import given

from apidesign.exercises import NOT_ANSWERED, protocols
from apidesign.protocols.hol import Scenario
from apidesign.protocols.polling import message_times
from exercise_strategies import ANY_ANSWER, never_raises_never_passes

ARRIVALS = message_times(60, 0.2, random.Random(2026))
CANDIDATES = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
SCENARIO = Scenario(streams=12, packets=30, loss=0.05, rtt=0.1, seed=4)


@pytest.fixture
def solutions(load_solution):
    return load_solution("01-protocols")


def test_every_model_solution_passes(solutions):
    assert protocols.check_choices(solutions.exercise_1()).ok
    assert protocols.check_polling_interval(solutions.exercise_2(ARRIVALS, 0.1, 1.5, CANDIDATES),
                                            ARRIVALS, 0.1, 1.5, CANDIDATES).ok
    assert protocols.check_stalled_streams(solutions.exercise_3(SCENARIO), SCENARIO).ok
    assert protocols.check_resume_id(solutions.resume_id).ok
    assert protocols.check_build_progress_design(solutions.build_progress_design).ok


@pytest.mark.parametrize("answer", [
    {"team-chat": "websockets", "build-progress": "Server-Sent Events", "feed-on-cellular": "http3",
     "fraud-check": "GRPC"},
    {"team-chat": "WebSocket (wss)", "build-progress": "EventSource", "feed-on-cellular": "HTTP/3 (QUIC)",
     "fraud-check": "gRPC over HTTP/2"},
])
def test_exercise_1_accepts_every_spelling_of_the_right_protocols(answer):
    assert protocols.check_choices(answer).ok


@pytest.mark.parametrize("change, hint", [
    ({"team-chat": "SSE"}, "The table says WebSocket"),
    ({"fraud-check": "HTTP/1.1"}, "The table says gRPC"),
    ({"build-progress": "Kafka"}, "is not one of"),
    ({"feed-on-cellular": ...}, "Still to answer: feed-on-cellular"),
])
def test_exercise_1_wrong_answers_fail_with_their_own_hint(solutions, change, hint):
    feedback = protocols.check_choices({**solutions.exercise_1(), **change})
    assert not feedback.ok and hint in feedback.message


@pytest.mark.parametrize("change, names, never", [
    ({"fraud-check": "HTTP/1.1"}, "latency **sensitive**", ["network", "direction"]),
    ({"feed-on-cellular": "HTTP/2"}, "network **lossy**", ["latency"]),
    ({"team-chat": "SSE"}, "direction **bidirectional**", ["polling plus", "network"]),
    ({"build-progress": "gRPC"}, "Browsers cannot speak gRPC", ["network"]),
])
def test_exercise_1_names_the_requirement_that_decides_and_only_what_the_story_mentions(solutions, change, names,
                                                                                          never):
    message = protocols.check_choices({**solutions.exercise_1(), **change}).message
    assert names in message and not any(word in message for word in never), message


def test_exercise_1_names_an_unknown_scenario_as_unknown():
    answer = {"teamchat": "WebSocket", "build-progress": "SSE", "feed-on-cellular": "HTTP/3", "fraud-check": "gRPC"}
    message = protocols.check_choices(answer).message
    assert "Unknown scenario 'teamchat' (did you mean 'team-chat'?)" in message


def test_exercise_1_encodes_the_mobile_app_as_a_native_client_not_a_browser():
    assert protocols._NEEDS["feed-on-cellular"].browser == "no"
    assert "mobile app" in protocols.SCENARIOS["feed-on-cellular"]


def test_exercise_1_exposes_the_stories_but_not_what_they_need():
    assert all(isinstance(story, str) for story in protocols.SCENARIOS.values())


@pytest.mark.parametrize("answer", [2.0, 2, "2", np.float64(2.0), np.int64(2)])
def test_exercise_2_accepts_the_right_interval_in_any_numeric_type(answer):
    assert protocols.check_polling_interval(answer, ARRIVALS, 0.1, 1.5, CANDIDATES).ok


@pytest.mark.parametrize("answer, hint", [(10.0, "over the 1.5 s budget"), (0.5, "fewer requests"),
                                          (4.0, "candidate intervals"), ([2.0], "expected one of the candidate")])
def test_exercise_2_wrong_answers_fail_with_their_own_hint(answer, hint):
    feedback = protocols.check_polling_interval(answer, ARRIVALS, 0.1, 1.5, CANDIDATES)
    assert not feedback.ok and hint in feedback.message


def test_exercise_3_says_which_way_to_look_and_accepts_strings(solutions):
    right = solutions.exercise_3(SCENARIO)
    assert protocols.check_stalled_streams(str(right), SCENARIO).ok
    assert "more" in protocols.check_stalled_streams(right - 1, SCENARIO).message
    assert "fewer" in protocols.check_stalled_streams(right + 1, SCENARIO).message


def last_line_id(lines):
    """Wrong: the last id line seen, even in an event the drop cut off."""
    ids = [line.split(":", 1)[1].strip() for line in lines if line.startswith("id:")]
    return ids[-1] if ids else None


def forgets_on_idless_events(lines):
    """Wrong: an event without an id resets the resume point."""
    last, event_id = None, None
    for line in lines:
        if line == "":
            last, event_id = event_id, None
        elif line.startswith("id:"):
            event_id = line[3:].strip()
    return last


def resume_with(read_id, needs_data=False):
    """A resume_id that dispatches at blank lines correctly but reads the id field with ``read_id``."""
    def resume_id(lines):
        last, pending, has_data = None, None, False
        for line in lines:
            if line == "":
                last = pending if pending is not None and (has_data or not needs_data) else last
                has_data = False
            elif line.startswith("data"):
                has_data = True
            elif read_id(line) is not None:
                pending = read_id(line)
        return last
    return resume_id


@pytest.mark.parametrize("resume_id, hint", [
    (last_line_id, "never received it"),
    (forgets_on_idless_events, "kept until another `id:` line sets a new one"),
    (resume_with(lambda line: line[3:] if line.startswith("id:") else None), "loses one leading space"),
    (resume_with(lambda line: line[4:] if line.startswith("id: ") else None), "`id:9` is a valid field"),
    (resume_with(lambda line: line[3:].strip() if line.startswith("id:") else None, needs_data=True),
     "its id still becomes the last event ID"),
    (lambda lines: lines[0], "raised IndexError: list index out of range on an empty stream"),
    ("1", "expected a function resume_id(lines)"),
    (protocols.last_event_id, "write resume_id(lines) yourself"),
])
def test_exercise_4_shows_the_smallest_stream_where_yours_differs(resume_id, hint):
    feedback = protocols.check_resume_id(resume_id)
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_exercise_4_shows_the_stream_one_line_per_line_in_a_fenced_block():
    message = protocols.check_resume_id(forgets_on_idless_events).message
    assert "```text\n1 | id: 1\n2 | data: {}\n3 |\n4 | data: {}\n5 |\n```" in message, message


def test_exercise_4_streams_include_the_edge_cases_of_the_event_stream_format():
    streams = protocols._sse_streams()
    assert [] in streams and ["id: 1", ""] in streams and ["id:9", "data: {}", ""] in streams
    assert any("data: hello" in s for s in streams) and any(s and s[-1] != "" for s in streams)


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d.replace("| GET | /v1/builds/{buildId}/events |", "| GET | /v1/builds/{buildId}/foo |"),
     "watch a build's progress live' (a GET on a sub-resource of one build"),
    (lambda d: d.replace(d[d.index("- Server-Sent"):d.index("- On a dropped")], "- Progress goes to the page.\n"),
     "push transport"),
    (lambda d: d.replace(d[d.index("- On a dropped"):], "- Resume with Last-Event-ID.\n")
     .replace("with reconnection built in", "with nothing extra to deploy"),
     "resuming after a drop"),
])
def test_exercise_5_a_design_missing_a_flow_or_a_reason_is_told_which(solutions, edit, hint):
    feedback = protocols.check_build_progress_design(edit(solutions.build_progress_design))
    assert not feedback.ok and hint in feedback.message, feedback.message


BUILD_DESIGN = """
| Method | Path | Description |
|---|---|---|
| POST | /v1/builds | Start a build |
| GET | /v1/builds/{buildId} | The build's status and, once finished, its result |
| GET | /v1/builds/{buildId}/updates | Live progress of the build (steps and log lines) |

- Progress is pushed with an EventSource stream (text/event-stream), because the flow is one-way and it is plain HTTP.
- When the connection drops, the browser retries on its own and sends the last id it saw, so nothing is missed.
"""


@pytest.mark.parametrize("old, new", [
    ("", ""),
    ("/updates", "/status"),
    ("/updates", "/feed"),
    ("the browser retries on its own and sends the last id it saw, so nothing is missed",
     "the browser re-opens the stream from the last event id, so no step is lost"),
    ("pushed with an EventSource stream (text/event-stream)", "pushed over Server-Sent Events"),
])
def test_exercise_5_checks_what_the_prompt_asks_in_the_learners_words(old, new):
    feedback = protocols.check_build_progress_design(BUILD_DESIGN.replace(old, new))
    assert feedback.ok, feedback.message


def test_exercise_5_leaves_later_chapters_to_their_exercises_and_names_every_problem_at_once():
    # no auth, no idempotency key, no rate limit, no error cases: not this chapter's to check
    assert protocols.check_build_progress_design(BUILD_DESIGN).ok
    broken = (BUILD_DESIGN.replace("/updates", "/foo")
              .replace("| GET | /v1/builds/{buildId} |", "| GET | /v1/build/{buildId} |")
              .replace("the browser retries on its own and sends the last id it saw, so nothing is missed", "bad luck"))
    message = protocols.check_build_progress_design(broken).message
    assert message.startswith("4 things to fix") and "singular-collection" in message, message
    assert all(topic in message for topic in ("'watch a build's progress live'", "'fetch a build's result'",
                                                "resuming after a drop")), message


def test_unanswered_exercises_say_so_instead_of_failing_the_notebook():
    assert protocols.check_choices(...) == NOT_ANSWERED
    assert protocols.check_choices(dict.fromkeys(protocols.SCENARIOS, ...)) == NOT_ANSWERED
    assert protocols.check_polling_interval(..., ARRIVALS, 0.1, 1.5, CANDIDATES) == NOT_ANSWERED
    assert protocols.check_stalled_streams(..., SCENARIO) == NOT_ANSWERED
    assert protocols.check_resume_id(...) == NOT_ANSWERED
    assert protocols.check_build_progress_design(...) == NOT_ANSWERED


@given(ANY_ANSWER)
def test_arbitrary_answers_never_raise_and_never_pass(value):
    never_raises_never_passes(protocols.check_choices, value)
    never_raises_never_passes(protocols.check_polling_interval, value, ARRIVALS, 0.1, 1.5, CANDIDATES,
                              right=lambda v: protocols.as_number(v) == 2.0)
    never_raises_never_passes(protocols.check_stalled_streams, value, SCENARIO,
                              right=lambda v: protocols.as_int(v) == protocols._stalled_streams(SCENARIO))
    never_raises_never_passes(protocols.check_resume_id, value)
    never_raises_never_passes(protocols.check_build_progress_design, value)
