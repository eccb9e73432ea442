"""The decision table: complete, ordered, and refusing requirements it does not know."""

import itertools

import pytest

from apidesign.protocols.chooser import FIELDS, NoRuleMatches, Requirements, UnknownRequirement, choose, rules


def test_every_combination_of_requirements_gets_a_recommendation_with_a_reason():
    for combo in itertools.product(*FIELDS.values()):
        rec = choose(Requirements(*combo))
        assert rec.protocol and rec.why.endswith(".")


@pytest.mark.parametrize("need, protocol", [
    (Requirements("bidirectional", browser="yes"), "WebSocket"),
    (Requirements("server-push", browser="yes"), "SSE"),
    (Requirements("request-response", browser="no", latency="sensitive"), "gRPC"),
    (Requirements("request-response", browser="yes", network="lossy"), "HTTP/3"),
    (Requirements("request-response", browser="no", network="lossy"), "HTTP/3"),
    (Requirements("request-response", browser="yes"), "HTTP/2"),
    (Requirements("request-response", browser="no"), "HTTP/1.1"),
])
def test_the_syllabus_cases_get_the_syllabus_protocol(need, protocol):
    assert choose(need).protocol == protocol


def test_a_latency_sensitive_native_app_on_a_lossy_network_gets_http3_not_grpc_over_tcp():
    # gRPC runs over HTTP/2, on TCP: one lost packet stalls every stream, the very thing a lossy network needs avoided
    rec = choose(Requirements("request-response", browser="no", latency="sensitive", network="lossy"))
    assert rec.protocol == "HTTP/3"


def test_a_latency_sensitive_internal_call_on_a_reliable_network_still_gets_grpc():
    assert choose(Requirements("request-response", browser="no", latency="sensitive")).protocol == "gRPC"


def test_the_table_recommends_only_the_six_protocols_of_the_syllabus():
    assert {r["protocol"] for r in rules()} == {"HTTP/1.1", "HTTP/2", "HTTP/3", "WebSocket", "SSE", "gRPC"}


def test_unknown_requirement_values_are_refused_with_the_allowed_ones():
    with pytest.raises(UnknownRequirement, match="request-response"):
        Requirements("push-and-pull")


def test_a_table_with_a_gap_says_so(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("direction,browser,latency,network,protocol,why\nserver-push,*,*,*,SSE,Push.\n")
    with pytest.raises(NoRuleMatches):
        choose(Requirements("bidirectional"), table)
