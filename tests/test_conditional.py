"""Conditional requests (server/conditional.py): ETags, 304 on reads, 412 on stale writes, 428 on bare v2 writes."""

from __future__ import annotations

import pytest
import requests

from apidesign.server import credentials
from apidesign.server.conditional import CACHE_CONTROL, entity_tag

ALICE, BOB, CAROL = "usr_alice", "usr_bob", "usr_carol"


@pytest.fixture
def channel(client, as_user):
    """A channel Alice made with Bob in it, and one message from Alice: their URLs."""
    r = client.post("/v1/channels", json={"name": "general", "memberIds": [BOB]}, headers=as_user(ALICE))
    m = client.post(f"{r.headers['Location']}/messages", json={"content": "hello"}, headers=as_user(ALICE))
    return r.headers["Location"], m.headers["Location"]


def with_(headers: dict, **extra: str) -> dict:
    return {**headers, **{k.replace("_", "-"): v for k, v in extra.items()}}


def test_every_channel_and_message_read_carries_a_strong_etag_and_private_no_cache(client, as_user, channel):
    channel_url, message_url = channel
    for url in (channel_url, message_url, f"{channel_url}/messages", f"/v1/users/{ALICE}/channels",
                channel_url.replace("/v1/", "/v2/"), message_url.replace("/v1/", "/v2/")):
        r = client.get(url, headers=as_user(ALICE))
        assert r.status_code == 200, url
        assert r.headers["ETag"].startswith('"') and not r.headers["ETag"].startswith("W/"), url
        assert r.headers["ETag"] == f'"{entity_tag(r.get_json())}"', url
        assert r.headers["Cache-Control"] == CACHE_CONTROL == "private, no-cache"


def test_the_etag_changes_exactly_when_the_representation_does(client, as_user, channel):
    channel_url, _ = channel
    first = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    assert client.get(channel_url, headers=as_user(BOB)).headers["ETag"] == first  # same bytes, same tag
    client.patch(channel_url, json={"topic": "new"}, headers=as_user(ALICE))
    assert client.get(channel_url, headers=as_user(ALICE)).headers["ETag"] != first


def test_v1_and_v2_shapes_of_a_message_have_different_tags(client, as_user, channel):
    _, message_url = channel
    v1 = client.get(message_url, headers=as_user(ALICE)).headers["ETag"]
    v2 = client.get(message_url.replace("/v1/", "/v2/"), headers=as_user(ALICE)).headers["ETag"]
    assert v1 != v2


def test_creates_return_the_new_representations_etag(client, as_user, channel):
    channel_url, message_url = channel
    for url in (channel_url, message_url):
        assert client.get(url, headers=as_user(ALICE)).headers["ETag"]
    r = client.post(f"{channel_url}/messages", json={"content": "again"}, headers=as_user(ALICE))
    assert r.headers["ETag"] == client.get(r.headers["Location"], headers=as_user(ALICE)).headers["ETag"]


def test_if_none_match_with_the_current_tag_gets_304_with_no_body_and_the_tag_repeated(client, as_user, channel):
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    r = client.get(channel_url, headers=with_(as_user(ALICE), If_None_Match=tag))
    assert r.status_code == 304 and r.data == b""
    assert r.headers["ETag"] == tag and r.headers["Cache-Control"] == CACHE_CONTROL
    assert "Content-Type" not in r.headers and "Content-Length" not in r.headers


@pytest.mark.parametrize("header", ['"stale"', 'W/{tag}', '"a", {tag}', "*", '"a", "b"'])
def test_if_none_match_uses_weak_comparison_and_star(client, as_user, channel, header):
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    r = client.get(channel_url, headers=with_(as_user(ALICE), If_None_Match=header.format(tag=tag)))
    expected = 200 if header in ('"stale"', '"a", "b"') else 304
    assert r.status_code == expected


@pytest.mark.parametrize("if_match, if_none_match, status", [
    ('"stale"', None, 412), ("W/{tag}", None, 412), ("{tag}", None, 200), ("*", None, 200),
    ('"stale"', "{tag}", 412),  # If-Match is evaluated first (RFC 9110 section 13.2.2, step 1)
    ("{tag}", "{tag}", 304)])
def test_a_read_evaluates_if_match_before_if_none_match(client, as_user, channel, if_match, if_none_match, status):
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    headers = {"If-Match": if_match.format(tag=tag)}
    if if_none_match:
        headers["If-None-Match"] = if_none_match.format(tag=tag)
    for method in (client.get, client.head):
        r = method(channel_url, headers=with_(as_user(ALICE), **headers))
        assert r.status_code == status, (method, headers)
    if status == 412:
        assert client.get(channel_url, headers=with_(as_user(ALICE), **headers)).get_json()["error"]["code"] \
            == "PRECONDITION_FAILED"


def test_a_new_message_turns_the_next_poll_of_the_history_into_a_200(client, as_user, channel, clock):
    channel_url, _ = channel
    clock.advance(1)
    tag = client.get(f"{channel_url}/messages", headers=as_user(BOB)).headers["ETag"]
    assert client.get(f"{channel_url}/messages", headers=with_(as_user(BOB), If_None_Match=tag)).status_code == 304
    clock.advance(1)
    client.post(f"{channel_url}/messages", json={"content": "news"}, headers=as_user(ALICE))
    r = client.get(f"{channel_url}/messages", headers=with_(as_user(BOB), If_None_Match=tag))
    assert r.status_code == 200 and r.get_json()["data"][0]["content"] == "news"


def test_a_stranger_with_the_right_tag_gets_403_not_304(client, as_user, channel):
    """Preconditions are evaluated after access control (RFC 9110 section 13.2.1): a 304 would leak existence."""
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    assert client.get(channel_url, headers=with_(as_user(CAROL), If_None_Match=tag)).status_code == 403
    assert client.get(channel_url, headers={"If-None-Match": tag}).status_code == 401


def test_the_lost_update_becomes_a_412_for_the_second_writer(client, as_user, channel):
    channel_url, _ = channel
    alice_tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    bob_tag = client.get(channel_url, headers=as_user(BOB)).headers["ETag"]
    first = client.patch(channel_url, json={"topic": "alice's"}, headers=with_(as_user(ALICE), If_Match=alice_tag))
    second = client.patch(channel_url, json={"topic": "bob's"}, headers=with_(as_user(BOB), If_Match=bob_tag))
    assert first.status_code == 200 and second.status_code == 412
    assert second.get_json()["error"]["code"] == "PRECONDITION_FAILED"
    assert client.get(channel_url, headers=as_user(BOB)).get_json()["data"]["topic"] == "alice's"


def test_a_put_with_a_stale_tag_changes_nothing(client, as_user, channel):
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    client.patch(channel_url, json={"topic": "moved on"}, headers=as_user(BOB))
    r = client.put(channel_url, json={"name": "renamed"}, headers=with_(as_user(ALICE), If_Match=tag))
    assert r.status_code == 412
    assert client.get(channel_url, headers=as_user(ALICE)).get_json()["data"]["name"] == "general"


def test_patch_returns_the_new_tag_so_a_client_can_write_again_without_reading(client, as_user, channel):
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    r = client.patch(channel_url, json={"topic": "one"}, headers=with_(as_user(ALICE), If_Match=tag))
    assert r.headers["Content-Location"] == channel_url
    assert r.headers["ETag"] == client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    again = client.patch(channel_url, json={"topic": "two"}, headers=with_(as_user(ALICE), If_Match=r.headers["ETag"]))
    assert again.status_code == 200


def test_put_sends_no_validator_because_the_stored_representation_is_not_the_one_sent(client, as_user, channel):
    """RFC 9110 section 9.3.4: the server added channelId, createdBy and createdAt, so no ETag on the 200."""
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    r = client.put(channel_url, json={"name": "general", "topic": "t"}, headers=with_(as_user(ALICE), If_Match=tag))
    assert r.status_code == 200 and "ETag" not in r.headers


@pytest.mark.parametrize("header, status", [("*", 200), ('W/{tag}', 412), ('"other", {tag}', 200),
                                            ('"other",W/"x" ,\t{tag}', 200), ('"other", "another"', 412), ("", 412)])
def test_if_match_uses_strong_comparison_and_star_matches_any_current_representation(client, as_user, channel,
                                                                                       header, status):
    """RFC 9110 section 13.1.1: a weak tag never matches; "*" matches any current representation."""
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    r = client.patch(channel_url, json={"topic": "x"}, headers=with_(as_user(ALICE), If_Match=header.format(tag=tag)))
    assert r.status_code == status, r.get_json()


@pytest.mark.parametrize("header", ['{tag}, *', '"unterminated', "not-quoted", ",,,", "W/", '"a" junk "b"', 'w/"a"',
                                    '"a""b"', '"' + "x" * 2000 + '"'])
@pytest.mark.parametrize("name, method", [("If-Match", "patch"), ("If-None-Match", "patch"), ("If-None-Match", "get")])
def test_a_malformed_entity_tag_header_is_a_400_naming_it_never_a_500(client, as_user, channel, header, name, method):
    """Outside RFC 9110's grammar ("*" alone, or quoted tags separated by commas): the client learns what is wrong."""
    channel_url, _ = channel
    tag = client.get(channel_url, headers=as_user(ALICE)).headers["ETag"]
    r = getattr(client, method)(channel_url, json={"topic": "x"} if method == "patch" else None,
                                headers={**as_user(ALICE), name: header.format(tag=tag)})
    assert r.status_code == 400
    assert r.get_json()["error"]["details"] == [{"field": name, "issue": "malformed_entity_tag"}]


def test_if_none_match_star_on_a_write_means_only_if_absent_so_an_existing_channel_is_a_412(client, as_user, channel):
    channel_url, _ = channel
    r = client.put(channel_url, json={"name": "general"}, headers=with_(as_user(ALICE), If_None_Match="*"))
    assert r.status_code == 412


def test_v1_writes_without_if_match_still_work_for_backward_compatibility(client, as_user, channel):
    channel_url, message_url = channel
    assert client.patch(channel_url, json={"topic": "x"}, headers=as_user(ALICE)).status_code == 200
    assert client.put(channel_url, json={"name": "general"}, headers=as_user(ALICE)).status_code == 200
    assert client.delete(message_url, headers=as_user(ALICE)).status_code == 204


@pytest.mark.parametrize("method, target, body", [("put", "channel", {"name": "general"}),
                                                  ("patch", "channel", {"topic": "x"}),
                                                  ("delete", "message", None)])
def test_v2_writes_without_if_match_get_428_and_with_it_go_through(client, as_user, channel, method, target, body):
    url = channel[0 if target == "channel" else 1].replace("/v1/", "/v2/")
    send = getattr(client, method)
    r = send(url, json=body, headers=as_user(ALICE))
    assert r.status_code == 428 and r.get_json()["error"]["code"] == "PRECONDITION_REQUIRED"
    tag = client.get(url, headers=as_user(ALICE)).headers["ETag"]
    assert send(url, json=body, headers=with_(as_user(ALICE), If_Match=tag)).status_code in (200, 204)


def test_a_v2_delete_checks_the_tag_of_the_v2_representation(client, as_user, channel):
    _, message_url = channel
    v1_tag = client.get(message_url, headers=as_user(ALICE)).headers["ETag"]
    v2_url = message_url.replace("/v1/", "/v2/")
    assert client.delete(v2_url, headers=with_(as_user(ALICE), If_Match=v1_tag)).status_code == 412
    assert client.delete(message_url, headers=with_(as_user(ALICE), If_Match=v1_tag)).status_code == 204


def test_access_errors_come_before_preconditions(client, as_user, channel):
    """A non-member's unconditional v2 write is a 403, not a 428; a missing channel is a 404."""
    channel_url, _ = channel
    v2 = channel_url.replace("/v1/", "/v2/")
    assert client.patch(v2, json={"topic": "x"}, headers=as_user(CAROL)).status_code == 403
    assert client.patch("/v2/channels/ch_missing", json={"topic": "x"}, headers=as_user(ALICE)).status_code == 404


def test_a_428_comes_before_body_validation(client, as_user, channel):
    """Preconditions are evaluated before the request content is processed (RFC 9110 section 13.2.1)."""
    v2 = channel[0].replace("/v1/", "/v2/")
    assert client.put(v2, json={"name": "Not Valid"}, headers=as_user(ALICE)).status_code == 428


def test_the_unversioned_negotiated_route_answers_304_too(client, as_user, channel):
    _, message_url = channel
    url = message_url.replace("/v1/", "/")
    accept = {"Accept": "application/vnd.apidesign.v2+json"}
    tag = client.get(url, headers={**as_user(ALICE), **accept}).headers["ETag"]
    r = client.get(url, headers={**as_user(ALICE), **accept, "If-None-Match": tag})
    assert r.status_code == 304 and r.headers["ETag"] == tag and "Accept" in r.headers["Vary"]


def test_head_revalidates_like_get(client, as_user, channel):
    channel_url, _ = channel
    tag = client.head(channel_url, headers=as_user(ALICE)).headers["ETag"]
    assert client.head(channel_url, headers=with_(as_user(ALICE), If_None_Match=tag)).status_code == 304


def test_over_real_http_a_304_has_no_body_and_no_content_headers(live, app, clock):
    """Through cheroot, as a client sees it: RFC 9110 section 15.4.5 (no content; ETag and Cache-Control repeated)."""
    alice = dict(credentials(app, ALICE))
    url = live.url + requests.post(live.url + "/v1/channels", json={"name": "live"}, headers=alice).headers["Location"]
    tag = requests.get(url, headers=alice).headers["ETag"]
    r = requests.get(url, headers={**alice, "If-None-Match": tag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["ETag"] == tag and r.headers["Cache-Control"] == CACHE_CONTROL
    assert "Content-Type" not in r.headers and r.headers.get("Content-Length", "0") == "0"


def test_the_contract_documents_the_headers_and_statuses_the_server_sends(client):
    doc = client.get("/v1/openapi.json").get_json()
    get_channel = doc["paths"]["/v1/channels/{channel_id}"]["get"]
    assert {"ETag", "Cache-Control"} <= set(get_channel["responses"]["200"]["headers"])
    assert "304" in get_channel["responses"]
    assert doc["components"]["headers"]["CacheControl"]["schema"] == {"const": CACHE_CONTROL}
    for method in ("put", "patch"):
        op = doc["paths"]["/v1/channels/{channel_id}"][method]
        assert "412" in op["responses"]
        assert {"$ref": "#/components/parameters/IfMatch"} in op["parameters"]
    assert "428" not in doc["paths"]["/v1/channels/{channel_id}"]["put"]["responses"]  # v1 never sends it


@pytest.mark.parametrize("method, body", [("patch", {"topic": "mine"}), ("put", {"name": "general", "topic": "mine", "memberIds": [BOB]})])
def test_two_writers_racing_with_the_same_tag_never_both_succeed(method, body):
    """The precondition and the write are one step: of two writers holding the same ETag, exactly one wins."""
    import threading
    from apidesign.server import create_app, serve
    app = create_app({"TESTING": True})
    alice, bob = credentials(app, ALICE), credentials(app, BOB)
    with serve(app) as live:
        url = live.url + requests.post(live.url + "/v1/channels", json={"name": "general", "memberIds": [BOB]},
                                       headers=alice).headers["Location"]
        for trial in range(150):
            tag = requests.get(url, headers=alice).headers["ETag"]
            start, statuses = threading.Barrier(2), []

            def write(who, topic):
                start.wait()
                r = requests.request(method, url, json={**body, "topic": topic},
                                     headers={**who, "If-Match": tag, "Content-Type": "application/merge-patch+json"
                                              if method == "patch" else "application/json"})
                statuses.append(r.status_code)

            writers = [threading.Thread(target=write, args=(who, f"{name} {trial}")) for who, name in
                       ((alice, "alice"), (bob, "bob"))]
            for w in writers:
                w.start()
            for w in writers:
                w.join()
            assert sorted(statuses) == [200, 412], f"trial {trial}: {statuses}"


def test_a_send_with_if_match_on_the_history_goes_ahead_only_if_nobody_wrote_since(client, as_user, channel):
    """RFC 9110 section 13.1.1: a server MUST evaluate a received If-Match; for a POST to the history, against the
    history as GET shows it. The check and the insert are one step, and /v2 does not require it (a send overwrites
    nothing)."""
    channel_url, _ = channel
    history = f"{channel_url}/messages"
    tag = client.get(history, headers=as_user(ALICE)).headers["ETag"]
    client.post(history, json={"content": "from Bob"}, headers=as_user(BOB))  # the history changes
    before = len(client.get(history, headers=as_user(ALICE)).get_json()["data"])
    stale = client.post(history, json={"content": "mine"}, headers=with_(as_user(ALICE), If_Match=tag))
    assert stale.status_code == 412 and stale.get_json()["error"]["code"] == "PRECONDITION_FAILED"
    assert len(client.get(history, headers=as_user(ALICE)).get_json()["data"]) == before  # nothing was sent
    fresh = client.get(history, headers=as_user(ALICE)).headers["ETag"]
    assert client.post(history, json={"content": "mine"}, headers=with_(as_user(ALICE), If_Match=fresh)).status_code == 201
    assert client.post(history, json={"content": "x"}, headers=with_(as_user(ALICE), If_Match="garbage")).status_code == 400
    assert client.post(history, json={"content": "x"}, headers=with_(as_user(ALICE), If_None_Match="*")).status_code == 412
    v2 = history.replace("/v1/", "/v2/")
    assert client.post(v2, json={"content": "no tag"}, headers=as_user(ALICE)).status_code == 201  # not 428
    assert client.post(v2, json={"content": "x"}, headers=with_(as_user(ALICE), If_Match=tag)).status_code == 412


def test_a_write_whose_target_has_no_representation_refuses_if_match_and_accepts_if_none_match(client, as_user,
                                                                                              channel):
    """No GET, no current representation: If-Match (even *) is false, If-None-Match true (RFC 9110 section 13.1.1)."""
    channel_url, _ = channel
    r = client.post("/v1/channels", json={"name": "x"}, headers=with_(as_user(ALICE), If_Match="*"))
    assert r.status_code == 412 and "no current representation" in r.get_json()["error"]["message"]
    assert client.post("/v1/channels", json={"name": "x"},
                       headers=with_(as_user(ALICE), If_None_Match="*")).status_code == 201
    assert client.post(f"{channel_url}/exports", json={},
                       headers=with_(as_user(ALICE), If_Match='"abc"')).status_code == 412
    batch = client.post(f"{channel_url}/messages:batchCreate", json={"messages": [{"content": "a"}]},
                        headers=with_(as_user(ALICE), If_Match="*"))
    assert batch.status_code == 412
    assert client.post("/v1/channels", json={"name": "x"},
                       headers=with_(as_user(ALICE), If_Match="not a tag")).status_code == 400
    assert client.post("/v1/channels", json={"name": ""},  # before the content is processed (section 13.2.1): 412
                       headers=with_(as_user(ALICE), If_Match="*")).status_code == 412
    assert client.post("/v1/channels", json={"name": "x"}, headers=with_(with_(as_user(ALICE), If_Match="*"),
                       Authorization="Bearer nope")).status_code == 401  # but authentication comes first


def test_deleting_a_webhook_endpoint_with_a_stale_tag_deletes_nothing(client, as_user):
    created = client.post("/v1/webhook-endpoints", json={"url": "https://hooks.example/x",
                                                          "eventTypes": ["message.created"]}, headers=as_user(ALICE))
    url = created.headers["Location"]
    tag = client.get(url, headers=as_user(ALICE)).headers["ETag"]
    assert client.delete(url, headers=with_(as_user(ALICE), If_Match='"stale"')).status_code == 412
    assert client.get(url, headers=as_user(ALICE)).status_code == 200
    assert client.delete(url, headers=with_(as_user(ALICE), If_Match=tag)).status_code == 204
    assert client.get(url, headers=as_user(ALICE)).status_code == 404


def test_a_replayed_v2_send_says_it_is_a_replay_as_v1_does(client, as_user, channel):
    channel_url, _ = channel
    v2 = f"{channel_url}/messages".replace("/v1/", "/v2/")
    key = with_(as_user(ALICE), Idempotency_Key="v2-replay-1")
    first, again = (client.post(v2, json={"content": "once"}, headers=key) for _ in range(2))
    assert first.status_code == again.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()


def test_a_v2_send_is_checked_against_the_v2_history_it_read(client, as_user, channel):
    """The page a /v2 client reads is rendered in v2's shape: its ETag is the one a /v2 send's If-Match names."""
    channel_url, _ = channel
    v2 = f"{channel_url}/messages".replace("/v1/", "/v2/")
    v2_tag = client.get(v2, headers=as_user(ALICE)).headers["ETag"]
    v1_tag = client.get(f"{channel_url}/messages", headers=as_user(ALICE)).headers["ETag"]
    assert v1_tag != v2_tag
    assert client.post(v2, json={"content": "x"}, headers=with_(as_user(ALICE), If_Match=v1_tag)).status_code == 412
    assert client.post(v2, json={"content": "x"}, headers=with_(as_user(ALICE), If_Match=v2_tag)).status_code == 201


def test_a_send_with_a_stale_tag_and_a_bad_body_is_a_412_as_for_put(client, as_user, channel):
    """RFC 9110 section 13.2.1: preconditions are evaluated before the request content is processed."""
    channel_url, _ = channel
    r = client.post(f"{channel_url}/messages", json={"content": ""}, headers=with_(as_user(ALICE), If_Match='"stale"'))
    assert r.status_code == 412
