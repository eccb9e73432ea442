"""Every check of 07-consistency-and-async: verdicts come from the library and the reference API, never a stored dict."""

import re

import numpy as np
import pytest
from hypothesis import given

from apidesign.exercises import NOT_ANSWERED
from apidesign.exercises import consistency as ex
from exercise_strategies import ANY_ANSWER, never_raises_never_passes


@pytest.fixture
def solutions(load_solution):
    return load_solution("07-consistency-and-async")


@pytest.mark.parametrize("check, name", [(ex.check_statuses, "statuses"), (ex.check_polling_cost, "polling_cost"),
                                         (ex.check_query_cost, "query_cost"), (ex.check_ssrf, "ssrf_refused"),
                                         (ex.check_precondition, "precondition"),
                                         (ex.check_webhook_verify, "verify"),
                                         (ex.check_reports_design, "reports_design")])
def test_model_solutions_pass_and_placeholders_say_not_answered(check, name, solutions):
    feedback = check(getattr(solutions, name))
    assert feedback.ok, feedback.message
    assert check(...) == NOT_ANSWERED


def test_equivalent_spellings_pass(solutions):
    assert ex.check_statuses({k: str(v) for k, v in solutions.statuses.items()}).ok
    assert ex.check_statuses({k: np.int64(v) for k, v in solutions.statuses.items()}).ok
    assert ex.check_polling_cost([5, "0.5"]).ok and ex.check_polling_cost(np.array([5, 0.5])).ok
    assert ex.check_query_cost("50").ok and ex.check_query_cost(50.0).ok
    assert ex.check_ssrf({k: "yes" if v else "no" for k, v in solutions.ssrf_refused.items()}).ok
    assert ex.check_ssrf({k: int(v) for k, v in solutions.ssrf_refused.items()}).ok  # 1 as "1" is
    assert ex.check_ssrf({k: str(int(v)) for k, v in solutions.ssrf_refused.items()}).ok


@pytest.mark.parametrize("case, answer, hint", [
    ("GET a channel with If-None-Match: its current ETag written weak (W/ in front)", 200, "compares weakly"),
    ("PATCH a channel with If-Match: its current ETag written weak (W/ in front)", 200, "compares strongly"),
    ("PUT /v2/channels/{id} with no If-Match", 412, "RFC 6585"),
    ("POST /v1/channels/{id}/exports", 201, "202 Accepted"),
    ("GET a channel with If-None-Match: its current ETag, by a user who is not a member", 304, "13.2.1"),
])
def test_exercise_1_wrong_statuses_say_why(solutions, case, answer, hint):
    feedback = ex.check_statuses({**solutions.statuses, case: answer})
    assert not feedback.ok and hint in feedback.message and case in feedback.message, feedback.message


def test_exercise_1_a_key_with_a_typo_is_named_as_matching_no_case_not_as_unanswered(solutions):
    typo = {(k + " " if k == ex.STATUS_CASES[2] else k): v for k, v in solutions.statuses.items()}
    feedback = ex.check_statuses(typo)
    assert not feedback.ok and "is not one of the cases" in feedback.message and "did you mean" in feedback.message
    assert "still to answer" not in feedback.message


def test_exercise_1_missing_and_unreadable_cases_are_named(solutions):
    assert "still to answer" in ex.check_statuses({ex.STATUS_CASES[0]: 304}).message
    feedback = ex.check_statuses({**solutions.statuses, ex.STATUS_CASES[0]: "not modified"})
    assert not feedback.ok and "as a number" in feedback.message


@pytest.mark.parametrize("answer, hint", [((4, 0.5), "the POST that started the export"), ((6, 0.5), "Count those polls"),
                                          ((5, 0), "0.5 s after the export finished"), ((5,), "a pair"),
                                          (("five", 0.5), "whole number")])
def test_exercise_2_wrong_counts_get_their_own_hint(answer, hint):
    feedback = ex.check_polling_cost(answer)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("answer, hint", [(44, "connection object"), (20, "only the messages"),
                                          (49, "leaves out the viewer (me)"),
                                          (48, "leaves out the viewer (me) and the channels connection"),
                                          (46, "the 4 channel nodes, or the 4 messages connections"),
                                          (30, "the 20 message nodes, or the 20 senders"), (24, "GitHub's node limit"),
                                          (7, "Count 1 for every"), ([50], "a whole number")])
def test_exercise_3_wrong_costs_say_what_was_not_counted(answer, hint):
    feedback = ex.check_query_cost(answer)
    assert not feedback.ok and hint in feedback.message, feedback.message


@pytest.mark.parametrize("url, answer, hint", [
    ("http://172.32.0.1/hooks", True, "just past the end of 172.16.0.0/12"),
    ("http://0300.0250.0.1/", False, "192.168.0.1"),
    ("http://0.0.0.0:8080/", False, "reaches this machine"),
    ("http://198.18.0.1/", False, "benchmarking"),
    ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", False, "carries 169.254.169.254 (NAT64"),
    ("http://[2002:808:808::1]/hooks", False, "6to4 is deprecated (RFC 7526)")])
def test_exercise_4_wrong_verdicts_name_the_address_kind(solutions, url, answer, hint):
    feedback = ex.check_ssrf({**solutions.ssrf_refused, url: answer})
    assert not feedback.ok and hint in feedback.message and url in feedback.message, feedback.message


# Exercise 5: right answers written differently, and plausible wrong ones.
def with_werkzeug(method, path, etag, headers):
    """Another right answer: werkzeug's parser, as the server uses it."""
    from werkzeug.http import parse_etags, unquote_etag
    tag, _ = unquote_etag(etag)
    if method not in ("GET", "HEAD") and path.startswith("/v2/") and "If-Match" not in headers:
        return "428"
    if "If-Match" in headers and not parse_etags(headers["If-Match"]).contains(tag):
        return 412
    if "If-None-Match" in headers and parse_etags(headers["If-None-Match"]).contains_weak(tag):
        return 304 if method in ("GET", "HEAD") else 412
    return 200


def with_a_regex(method, path, etag, headers):
    """Another right answer: the tags read with a regular expression, and a table of outcomes."""
    found = lambda value: re.findall(r'(W/)?"([^"]*)"', value)  # noqa: E731
    current = etag.strip('"')
    strong = lambda v: v.strip() == "*" or any(not w and t == current for w, t in found(v))  # noqa: E731
    weak = lambda v: v.strip() == "*" or any(t == current for _, t in found(v))  # noqa: E731
    write = method in {"PUT", "PATCH", "DELETE", "POST"}  # HEAD is a read
    if write and "/v2/" in path and headers.get("If-Match") is None:
        return 428
    if headers.get("If-Match") is not None and not strong(headers["If-Match"]):
        return 412
    if headers.get("If-None-Match") is not None and weak(headers["If-None-Match"]):
        return {True: 412, False: 304}[write]
    return 200


@pytest.mark.parametrize("right", [with_werkzeug, with_a_regex])
def test_exercise_5_right_answers_written_differently_pass(right):
    feedback = ex.check_precondition(right)
    assert feedback.ok, feedback.message


def strong_everywhere(method, path, etag, headers):
    value = headers.get("If-None-Match")
    if method not in ("GET", "HEAD") and path.startswith("/v2/") and "If-Match" not in headers:
        return 428
    if "If-Match" in headers and headers["If-Match"] != "*" and etag not in headers["If-Match"].replace(f"W/{etag}", ""):
        return 412
    if value is not None and (value == "*" or etag in value.replace(f"W/{etag}", "")):
        return 304 if method in ("GET", "HEAD") else 412
    return 200


def weak_everywhere(method, path, etag, headers):
    if method not in ("GET", "HEAD") and path.startswith("/v2/") and "If-Match" not in headers:
        return 428
    if "If-Match" in headers and headers["If-Match"] != "*" and etag not in headers["If-Match"]:
        return 412
    value = headers.get("If-None-Match")
    if value is not None and (value == "*" or etag in value):
        return 304 if method in ("GET", "HEAD") else 412
    return 200


def no_star(method, path, etag, headers):
    answer = with_werkzeug(method, path, etag, headers)
    return 200 if "*" in headers.values() and not (method not in ("GET", "HEAD") and "/v2/" in path and "If-Match" not in headers) \
        else answer


def exact_match_only(method, path, etag, headers):
    if method not in ("GET", "HEAD") and path.startswith("/v2/") and "If-Match" not in headers:
        return 428
    if "If-Match" in headers and headers["If-Match"] not in ("*", etag):
        return 412
    if headers.get("If-None-Match") in ("*", etag, f"W/{etag}"):
        return 304 if method in ("GET", "HEAD") else 412
    return 200


def always_412(method, path, etag, headers):
    answer = int(with_werkzeug(method, path, etag, headers))
    return 412 if answer == 304 else answer


def no_428(method, path, etag, headers):
    return with_werkzeug(method, "/v1/" + path.split("/", 2)[2], etag, headers)


def if_match_only_on_writes(method, path, etag, headers):
    reading = method in ("GET", "HEAD")
    return with_werkzeug(method, path, etag, {k: v for k, v in headers.items() if not reading or k != "If-Match"})


def head_as_a_write(method, path, etag, headers):
    return with_werkzeug("PUT" if method == "HEAD" else method, path, etag, headers)


def raises(method, path, etag, headers):
    return headers["If-Match"]


@pytest.mark.parametrize("wrong, hint", [
    (strong_everywhere, "compares weakly"),
    (weak_everywhere, "compares strongly"),
    (no_star, "'*' matches any current representation"),
    (exact_match_only, "a list"),
    (always_412, "304 Not Modified on a GET"),
    (no_428, "428 Precondition Required"),
    (if_match_only_on_writes, "on a read as on a write"),
    (head_as_a_write, "HEAD is a read"),
    (raises, "raised KeyError"),
    (ex.check_statuses, "the library's check_statuses"),
    (lambda *case: ex._server_status(*case), "apidesign.exercises.consistency from the course's library"),
])
def test_exercise_5_plausible_wrong_answers_fail_with_the_rule_they_break(wrong, hint):
    feedback = ex.check_precondition(wrong)
    assert not feedback.ok and hint in feedback.message, feedback.message


def split_on_comma_space(method, path, etag, headers):
    """Right, except that it splits lists on ', ' only."""
    def matches(value, weak):
        tags = [t.strip() for t in value.split(", ")]
        return value == "*" or any((t.removeprefix("W/") if weak else t) == etag for t in tags)
    if method not in ("GET", "HEAD") and path.startswith("/v2/") and "If-Match" not in headers:
        return 428
    if "If-Match" in headers and not matches(headers["If-Match"], weak=False):
        return 412
    if "If-None-Match" in headers and matches(headers["If-None-Match"], weak=True):
        return 304 if method in ("GET", "HEAD") else 412
    return 200


def test_exercise_5_a_list_split_on_comma_space_is_told_that_lists_may_have_any_whitespace_or_none():
    feedback = ex.check_precondition(split_on_comma_space)
    assert not feedback.ok and "5.6.1" in feedback.message and "it is the spacing" in feedback.message, feedback.message


# Exercise 6: a webhook verifier, judged by the standardwebhooks library on many requests.
def verify_with_bytes(secret, headers, body, now):
    """Another right answer: signatures compared as decoded bytes, raising instead of returning False."""
    import base64, hashlib, hmac  # noqa: E401
    stamp = int(headers["webhook-timestamp"])
    if not now - 300 <= stamp <= now + 300:
        raise ValueError("stale")
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, b".".join([headers["webhook-id"].encode(), str(stamp).encode(), body]), hashlib.sha256)
    found = [base64.b64decode(s[3:]) for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")]
    if not any(hmac.compare_digest(mac.digest(), f) for f in found):
        raise ValueError("forged")
    return headers["webhook-id"]


def wrong_verify(**bugs):
    """The model answer with one plausible bug switched on."""
    def verify(secret, headers, body, now):
        import base64, hashlib, hmac  # noqa: E401
        msg_id, stamp, signatures = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
        if not (msg_id and stamp and signatures):
            return False
        age = now - int(stamp)
        if not bugs.get("no_tolerance") and (age > 300 or (age < -300 and not bugs.get("one_way"))):
            return False
        key = secret.encode() if bugs.get("raw_key") else base64.b64decode(secret.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest())
        listed = signatures.split()[:1] if bugs.get("first_only") else signatures.split()
        for signature in listed:
            value = signature[3:] if bugs.get("any_version") else signature.removeprefix("v1,")
            if hmac.compare_digest(value, expected.decode()):
                if bugs.get("any_version") or signature.startswith("v1,"):
                    return True
        return False
    return verify


def test_exercise_6_right_answers_written_differently_pass():
    feedback = ex.check_webhook_verify(verify_with_bytes)
    assert feedback.ok, feedback.message


def verify_with_equals(secret, headers, body, now):
    """Right on every request, but compared with ==."""
    import base64, hashlib, hmac  # noqa: E401
    msg_id, stamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
    if not (msg_id and stamp and headers.get("webhook-signature")) or abs(now - int(stamp)) > 300:
        return False
    mac = hmac.new(base64.b64decode(secret[6:]), f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode() in headers["webhook-signature"].split()


def test_exercise_6_a_comparison_with_equals_fails_though_every_verdict_is_right():
    feedback = ex.check_webhook_verify(verify_with_equals)
    assert not feedback.ok and "hmac.compare_digest" in feedback.message
    assert f"all {len(ex._webhook_cases())} requests" in feedback.message


@pytest.mark.parametrize("bugs, hint", [
    ({"first_only": True}, "several space-separated signatures"),
    ({"no_tolerance": True}, "more than 300 s before now is refused"),
    ({"one_way": True}, "the tolerance works both ways"),
    ({"raw_key": True}, "base64-decode what follows 'whsec_'"),
    ({"any_version": True}, "only a signature labelled 'v1,'"),
])
def test_exercise_6_plausible_wrong_answers_fail_with_the_rule_they_break(bugs, hint):
    feedback = ex.check_webhook_verify(wrong_verify(**bugs))
    assert not feedback.ok and hint in feedback.message, feedback.message


def test_exercise_6_the_model_answer_with_no_bug_passes_so_each_failure_above_is_its_bug():
    assert ex.check_webhook_verify(wrong_verify()).ok


def test_exercise_6_calling_a_webhook_library_is_not_an_answer():
    from standardwebhooks import Webhook

    def lean(secret, headers, body, now):
        return Webhook(secret).verify(body, headers)
    assert "webhook library" in ex.check_webhook_verify(lean).message
    assert "webhook library" in ex.check_webhook_verify(lambda *a: ex.standard_webhooks.Webhook(a[0])).message


def test_exercise_6_the_reference_is_the_standardwebhooks_library_with_its_clock_fixed_per_case():
    cases = ex._webhook_cases()
    verdicts = [ex._library_accepts(c) for c in cases]
    assert len(cases) >= 60 and 0 < sum(verdicts) < len(cases)
    fresh = next(c for c in cases if c.what == "an authentic webhook, just sent")
    stale = next(c for c in cases if c.what == "an authentic webhook, 301 s old")
    assert ex._library_accepts(fresh) and not ex._library_accepts(stale)


@pytest.mark.parametrize("edit, hint", [
    (lambda d: d.replace("| POST | /v1/webhook-endpoints |", "| GET | /v1/webhook-endpoints |"), "register a webhook URL"),
    (lambda d: d.replace("| GET | /v1/operations/{operationId} |", "| GET | /v1/operations |")
     .replace("| GET | /v1/reports/{reportId} |", "| GET | /v1/reports |"), "check on a report"),
    (lambda d: d.replace(next(line for line in d.splitlines() if line.startswith("- Webhooks are signed")),
                         "- Webhooks carry our API key in an X-Webhook-Key header, because the receiver can compare "
                         "it with the key it stored."), "authenticated with 'API key'"),
    (lambda d: d.replace("Deliveries are retried with exponential backoff and jitter for three days, and the receiver "
                         "deduplicates by webhook-id, because delivery is at least once.", ""),
     "failed and repeated deliveries"),
    (lambda d: d.replace("(Idempotency-Key header); 202", "202"), "post-without-idempotency-key"),
])
def test_exercise_6_designs_missing_a_flow_or_a_reason_are_told_which(solutions, edit, hint):
    feedback = ex.check_reports_design(edit(solutions.reports_design))
    assert not feedback.ok and hint in feedback.message, feedback.message


@given(ANY_ANSWER)
def test_arbitrary_answers_never_raise_and_never_pass(value):
    for check in (ex.check_statuses, ex.check_polling_cost, ex.check_ssrf, ex.check_precondition,
                  ex.check_reports_design):
        never_raises_never_passes(check, value)
    never_raises_never_passes(ex.check_query_cost, value, right=lambda v: ex.as_int(v) == 50)


# Round-2 learner review (issue #21): each probe the learner tried, as a test.
def test_exercise_3_an_over_count_is_told_it_is_too_many():
    for answer in (51, 55, 60):
        feedback = ex.check_query_cost(answer)
        assert not feedback.ok and f"{answer - 50} too many" in feedback.message, feedback.message


@pytest.mark.parametrize("word, refused", [("refused", True), ("Refused", True), ("allowed", False), ("blocked", True)])
def test_exercise_4_accepts_the_question_s_own_words(solutions, word, refused):
    answer = {k: (word if v == refused else v) for k, v in solutions.ssrf_refused.items()}
    assert ex.check_ssrf(answer).ok


@pytest.mark.parametrize("url, hint", [("http://0.0.0.0:8080/", "'this network'"),
                                       ("http://198.18.0.1/", "reserved for benchmarking (RFC 2544)")])
def test_exercise_4_names_the_real_range_not_python_s_private(solutions, url, hint):
    feedback = ex.check_ssrf({**solutions.ssrf_refused, url: False})
    assert not feedback.ok and hint in feedback.message and "is a private address" not in feedback.message


def by_substrings(method, path, etag, headers):
    """Wrong: looks for the tag inside the header text instead of reading the list."""
    write = method not in ("GET", "HEAD")
    im, inm = headers.get("If-Match"), headers.get("If-None-Match")
    if write and path.startswith("/v2/") and im is None:
        return 428
    if im is not None and not (im == "*" or (etag in im and "W/" + etag not in im)):
        return 412
    if inm is not None and (inm == "*" or etag in inm):
        return 412 if write else 304
    return 200


def without_quotes(method, path, etag, headers):
    """Wrong: compares the opaque tags without their quotes, as substrings."""
    opaque, write = etag.strip('"'), method not in ("GET", "HEAD")
    im, inm = headers.get("If-Match"), headers.get("If-None-Match")
    if write and path.startswith("/v2/") and im is None:
        return 428
    if im is not None and im != "*" and not any(t.strip().strip('"') == opaque for t in im.split(",")
                                                if not t.strip().startswith("W/")):
        return 412
    if inm is not None and (inm == "*" or opaque in inm):
        return 412 if write else 304
    return 200


@pytest.mark.parametrize("wrong, shown", [(by_substrings, f"'If-Match': 'W/{ex.CURRENT}, {ex.CURRENT}'"),
                                          (without_quotes, "-gzip")])
def test_exercise_5_substring_solutions_fail_on_mixed_lists(wrong, shown):
    feedback = ex.check_precondition(wrong)
    assert not feedback.ok and shown in feedback.message, feedback.message


def an_attribute_named_like_a_course_global(method, path, etag, headers):
    """Right, and it sets attributes that share their names with the notebook's globals (show, cost, clock)."""
    class Note:
        pass
    note = Note()
    note.show, note.cost, note.clock = 1, 2, 3
    return ex_right_answer(method, path, etag, headers)


def test_exercise_5_an_attribute_is_not_mistaken_for_a_course_global(solutions, monkeypatch):
    from apidesign import show
    monkeypatch.setitem(an_attribute_named_like_a_course_global.__globals__, "show", show)
    monkeypatch.setitem(an_attribute_named_like_a_course_global.__globals__, "cost", ex.cost)
    monkeypatch.setitem(an_attribute_named_like_a_course_global.__globals__, "ex_right_answer", solutions.precondition)
    feedback = ex.check_precondition(an_attribute_named_like_a_course_global)
    assert feedback.ok, feedback.message


def imports_the_reference(method, path, etag, headers):
    from apidesign.exercises import consistency
    return consistency._server_status(method, path, etag, headers)


def imports_it_by_name(method, path, etag, headers):
    import importlib
    return importlib.import_module("apidesign.exercises.consistency")._server_status(method, path, etag, headers)


@pytest.mark.parametrize("cheat", [imports_the_reference, imports_it_by_name])
def test_exercise_5_importing_the_reference_inside_the_function_is_caught(cheat):
    feedback = ex.check_precondition(cheat)
    assert not feedback.ok and "from the course's library" in feedback.message, feedback.message


@pytest.mark.parametrize("check, answer, said", [
    (ex.check_precondition, lambda m, p, e: 200, "with four arguments; yours is <lambda>(m, p, e)"),
    (ex.check_webhook_verify, lambda secret, headers, body: True,
     "with four arguments; yours is <lambda>(secret, headers, body)")])
def test_a_function_with_the_wrong_arguments_is_told_so_without_a_rule(check, answer, said):
    feedback = check(answer)
    assert not feedback.ok and said in feedback.message and "The rule" not in feedback.message, feedback.message


def verify_with(clock=None, stamp=lambda s: int(s), strip=lambda s: s.removeprefix("whsec_")):
    """The model answer with one thing swapped: the clock it reads, how it reads the timestamp, how it strips."""
    import base64, hashlib, hmac  # noqa: E401

    def verify(secret, headers, body, now):
        msg_id, ts, sigs = (headers.get(k) for k in ("webhook-id", "webhook-timestamp", "webhook-signature"))
        if not (msg_id and ts and sigs) or abs((clock() if clock else now) - stamp(ts)) > 300:
            return False
        mac = hmac.new(base64.b64decode(strip(secret)), f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
        want = "v1," + base64.b64encode(mac).decode()
        return any(hmac.compare_digest(s, want) for s in sigs.split())
    return verify


@pytest.mark.parametrize("verify, hint", [
    (verify_with(clock=__import__("time").time), "reads the real time"),
    (verify_with(stamp=lambda s: int(s) / 1000), "reads webhook-timestamp as milliseconds")])
def test_exercise_6_clock_mistakes_are_named_as_clock_mistakes(verify, hint):
    feedback = ex.check_webhook_verify(verify)
    assert not feedback.ok and "It is the clock, not the HMAC" in feedback.message and hint in feedback.message
    assert "The rule" not in feedback.message


def test_exercise_6_lstrip_of_the_prefix_fails_on_a_secret_that_begins_with_one_of_its_letters():
    feedback = ex.check_webhook_verify(verify_with(strip=lambda s: s.lstrip("whsec_")))
    assert not feedback.ok and "lstrip" in feedback.message, feedback.message
    assert {c.secret[6] for c in ex._webhook_cases()} >= set("whsec")


def test_exercise_6_prints_now_as_a_whole_number_and_the_timestamp_s_age():
    feedback = ex.check_webhook_verify(verify_with(stamp=lambda s: int(s) - 1))  # one second off: 301 s looks 302
    assert re.search(r"now=\d{10}, the timestamp is \d+ s (before|after) now", feedback.message), feedback.message


INVERTED = {  # each note names the mechanism only to reject it; the check names the problem
    "- Starting a report answers 202": "- POST /v1/reports answers 200 with the finished report once it is built, so "
                                       "that clients never need to poll.",
    "- Webhooks are signed": "- Webhooks carry our API key in an X-Webhook-Key header instead of an HMAC signature, "
                             "because signing is extra work for customers.",
    "- Deliveries are retried": "- Failed deliveries are not retried, because the customer can always call GET "
                                "/v1/reports/{reportId} instead.",
}


def right_design(**swap):
    """The learner's right design (e7e), with its check and webhook routes swapped in."""
    routes = {"check": "/v1/reports/{reportId}", "hook": "/v1/webhooks", **swap}
    return f"""
| Method | Path | Description |
|---|---|---|
| POST | /v1/reports | Ask for a monthly report (Idempotency-Key header): 202 Accepted with Location |
| GET | {routes['check']} | Whether the report is ready, with Retry-After while it is building |
| GET | /v1/reports/{{reportId}}/file | Download the finished report |
| POST | {routes['hook']} | Register a URL for report.ready events (Idempotency-Key header) |

- Starting a report answers 202 with Location and Retry-After, because a build takes minutes and clients poll at the pace the server sets.
- Webhooks are signed with HMAC-SHA256 over id, timestamp and body, so that the receiver knows they are genuine and fresh.
- Deliveries are retried with backoff and jitter and deduplicated by webhook-id, because delivery is at least once.
- Auth: OAuth 2.0 bearer tokens, because reports hold account data.
- Rate limiting: a token bucket per customer, 429 with Retry-After, to protect the workers.
- Errors: 400 invalid month, 403 not allowed, 404 unknown report.
"""


@pytest.mark.parametrize("start, hint", [
    ("- Starting a report answers 202", "starting a report waits for the build ('/v1/reports answers 200"),
    ("- Webhooks are signed", "webhooks are authenticated with 'API key'"),
    ("- Deliveries are retried", "failed deliveries are not retried ('not retried')")])
def test_exercise_7_an_inverted_decision_fails_by_name_even_among_generic_notes(start, hint):
    design = "\n".join(INVERTED[start] if line.startswith(start) else line for line in right_design().splitlines())
    feedback = ex.check_reports_design(design)
    assert not feedback.ok and hint in feedback.message and feedback.message.count("\n- ") == 1, feedback.message


def test_exercise_7_all_three_inverted_at_once_name_all_three():
    design = right_design()
    for start, note in INVERTED.items():
        design = "\n".join(note if line.startswith(start) else line for line in design.splitlines())
    feedback = ex.check_reports_design(design)
    assert not feedback.ok and "3 things to fix" in feedback.message, feedback.message


@pytest.mark.parametrize("note", [
    "- We never make clients poll blindly: starting a report answers 202 with Location and Retry-After, because a "
    "build takes minutes.",
    "- Each delivery carries an HMAC-SHA256 signature rather than an API key, because a key proves nothing about the "
    "body or its age.",
    "- A failed delivery is sent again with exponential backoff for three days, and receivers drop repeats by "
    "webhook-id, because delivery is at least once."])
def test_exercise_7_right_decisions_in_other_words_pass(note):
    kind = ("- Starting" if "202" in note else "- Webhooks" if "HMAC" in note else "- Deliveries")
    design = "\n".join(note if line.startswith(kind) else line for line in right_design().splitlines())
    feedback = ex.check_reports_design(design)
    assert feedback.ok, feedback.message


def test_exercise_7_a_retry_without_deduplication_is_told_retries_repeat():
    design = right_design().replace("and deduplicated by webhook-id, because delivery is at least once",
                                    "because receivers are sometimes down")
    feedback = ex.check_reports_design(design)
    assert not feedback.ok and "deduplicate by webhook-id" in feedback.message, feedback.message


@pytest.mark.parametrize("swap", [
    {"hook": "/v1/webhook-subscriptions"}, {"hook": "/v1/report-subscriptions"},
    {"hook": "/v1/notification-endpoints"}, {"hook": "/v1/webhook_endpoints"},
    {"hook": "/v1/accounts/{accountId}/webhooks"}, {"check": "/v1/reports/{reportId}/status"},
    {"check": "/v1/report-jobs/{jobId}"}])
def test_exercise_7_reasonable_route_names_serve_the_flows(swap):
    feedback = ex.check_reports_design(right_design(**swap))
    assert feedback.ok, feedback.message


def test_exercise_7_a_missing_flow_says_what_route_it_looks_for():
    feedback = ex.check_reports_design(right_design(hook="/v1/report-listeners"))
    assert not feedback.ok and "whose name says webhook, hook, subscription" in feedback.message, feedback.message


# Exercise 6, round 2: wrong answers the cases used to let through, and right ones the checker used to refuse.
def verify_variant(*, window=lambda age: -300 <= age <= 300, millis=False, version_ok=lambda v: v == "v1",
                   compare=None, whole_now=False):
    """The model answer with one thing changed: the window on age (now - timestamp), milliseconds, versions, how
    the comparison is made, a now truncated to whole seconds."""
    import base64, hashlib, hmac  # noqa: E401

    def verify(secret, headers, body, now):
        msg_id, ts, sigs = (headers.get(k) for k in ("webhook-id", "webhook-timestamp", "webhook-signature"))
        if not (msg_id and ts and sigs):
            return False
        stamp = int(ts) // 1000 if millis and int(ts) > 10**11 else int(ts)
        if not window((int(now) if whole_now else now) - stamp):
            return False
        mac = hmac.new(base64.b64decode(secret[6:]), f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
        want = base64.b64encode(mac).decode()
        for s in sigs.split():
            v, _, sig = s.partition(",")
            if version_ok(v) and (compare or hmac.compare_digest)(sig, want):
                return True
        return False
    return verify


@pytest.mark.parametrize("verify, said", [
    (verify_variant(window=lambda age: -300 < age <= 300), "exactly 300 s ahead"),
    (verify_variant(millis=True), "milliseconds"),
    (verify_variant(version_ok=lambda v: v.startswith("v1")), "v1a"),
    (verify_variant(whole_now=True), "300.5 s"),
])
def test_exercise_6_wrong_answers_the_library_refutes_fail(verify, said):
    feedback = ex.check_webhook_verify(verify)
    assert not feedback.ok and said in feedback.message, feedback.message


def test_exercise_6_compare_digest_must_compare_the_received_signature():
    import hmac
    dodge = verify_variant(compare=lambda sig, want: hmac.compare_digest(want, want) and sig == want)
    feedback = ex.check_webhook_verify(dodge)
    assert not feedback.ok and "received signature" in feedback.message, feedback.message


def test_exercise_6_compare_digest_imported_under_another_name_counts():
    from hmac import compare_digest as cd
    feedback = ex.check_webhook_verify(verify_variant(compare=lambda sig, want: cd(sig, want)))
    assert feedback.ok, feedback.message


def test_exercise_6_each_edge_case_is_the_library_s_own_verdict_with_json_parsing_off():
    cases = {c.what: c for c in ex._webhook_cases()}
    expected = {"an authentic webhook dated exactly 300 s ahead of now": True,
                "an authentic webhook, 300.5 s old": False, "an authentic webhook dated 300.5 s ahead of now": False,
                "an authentic webhook with its timestamp in milliseconds, signed as sent": False,
                "the right signature's bytes, labelled v1a": False}
    assert {what: ex._library_accepts(cases[what]) for what in expected} == expected
    text = next(c for c in cases.values() if c.what == "an authentic webhook, just sent")
    not_json = ex._resigned(ex.WebhookCase(text.what, text.rule, text.secret, text.headers, b"not json", text.now),
                            int(text.headers["webhook-timestamp"]), text.now)
    assert ex._library_accepts(not_json)  # the library judges the signature, not whether the body parses
