"""The reference API through Flask's test client: happy paths and every error status."""

import pytest

from apidesign import errors

ALICE, BOB, CAROL = "usr_alice", "usr_bob", "usr_carol"


@pytest.fixture
def channel(client, as_user):
    """A channel 'general' created by Alice with Bob as a member (Carol is not)."""
    r = client.post("/v1/channels", json={"name": "general", "memberIds": [BOB]}, headers=as_user(ALICE))
    assert r.status_code == 201
    return r.get_json()["data"]


def send(client, as_user, channel_id, content="Hello, world!", user=ALICE):
    return client.post(f"/v1/channels/{channel_id}/messages", json={"content": content, "type": "text"},
                       headers=as_user(user))


def assert_error(response, status, code):
    assert response.status_code == status, response.get_json()
    assert response.content_type == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    return body["error"]


# --- happy paths ---------------------------------------------------------------

def test_create_channel_returns_201_location_and_the_channel(client, as_user):
    r = client.post("/v1/channels", json={"name": "general", "topic": "hi", "memberIds": [BOB]},
                    headers=as_user(ALICE))
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert r.headers["Location"] == f"/v1/channels/{data['channelId']}"
    assert data["channelId"].startswith("ch_")
    assert data["memberIds"] == [ALICE, BOB]
    assert client.get(r.headers["Location"], headers=as_user(BOB)).get_json()["data"] == data


def test_send_message_returns_the_syllabus_shape_with_location(client, as_user, channel, clock):
    r = send(client, as_user, channel["channelId"])
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert list(data) == ["messageId", "channelId", "senderId", "content", "type", "createdAt"]
    assert data["senderId"] == ALICE and data["content"] == "Hello, world!" and data["type"] == "text"
    assert data["createdAt"] == "2026-03-12T10:30:00.000Z"  # from the fake clock
    assert r.headers["Location"] == f"/v1/messages/{data['messageId']}"
    assert client.get(r.headers["Location"], headers=as_user(BOB)).get_json()["data"] == data


def test_list_messages_is_newest_first_by_default_and_oldest_first_on_request(client, as_user, channel, clock):
    for text in ("one", "two", "three"):
        send(client, as_user, channel["channelId"], text)
        clock.advance(1)
    r = client.get(f"/v1/channels/{channel['channelId']}/messages", headers=as_user(BOB))
    assert r.status_code == 200
    assert [m["content"] for m in r.get_json()["data"]] == ["three", "two", "one"]
    r = client.get(f"/v1/channels/{channel['channelId']}/messages?order=oldest", headers=as_user(BOB))
    assert [m["content"] for m in r.get_json()["data"]] == ["one", "two", "three"]


def test_list_user_channels_shows_only_memberships(client, as_user, channel):
    client.post("/v1/channels", json={"name": "random"}, headers=as_user(CAROL))
    names = lambda user: [c["name"] for c in client.get(f"/v1/users/{user}/channels",
                                                         headers=as_user(user)).get_json()["data"]]
    assert names(BOB) == ["general"]
    assert names(CAROL) == ["random"]


def test_delete_message_returns_204_then_404(client, as_user, channel):
    mid = send(client, as_user, channel["channelId"]).get_json()["data"]["messageId"]
    r = client.delete(f"/v1/messages/{mid}", headers=as_user(ALICE))
    assert r.status_code == 204 and r.data == b""
    assert "Content-Type" not in r.headers  # no content, so no content type
    assert_error(client.delete(f"/v1/messages/{mid}", headers=as_user(ALICE)), 404, "NOT_FOUND")


# --- every error status comes out as the envelope ---------------------------------

def test_400_lists_every_invalid_field(client, as_user):
    r = client.post("/v1/channels", json={"name": "Bad Name!", "topic": 7, "memberIds": ["usr_ghost"],
                                          "colour": "red"}, headers=as_user(ALICE))
    err = assert_error(r, 400, "INVALID_INPUT")
    assert {(d["field"], d["issue"]) for d in err["details"]} == {
        ("name", "invalid_format"), ("topic", "must_be_string"),
        ("memberIds", "unknown_user"), ("colour", "unknown_field")}


def test_400_for_empty_and_over_long_content(client, as_user, channel):
    cid = channel["channelId"]
    err = assert_error(send(client, as_user, cid, "   "), 400, "INVALID_INPUT")
    assert err["details"] == [{"field": "content", "issue": "too_short", "min": 1}]
    err = assert_error(send(client, as_user, cid, "x" * 4001), 400, "INVALID_INPUT")
    assert err["details"] == [{"field": "content", "issue": "too_long", "max": 4000}]


def test_400_for_malformed_json_and_non_object_bodies(client, as_user, channel):
    url = f"/v1/channels/{channel['channelId']}/messages"
    headers = {**as_user(ALICE), "Content-Type": "application/json"}
    assert_error(client.post(url, data="{not json", headers=headers), 400, "MALFORMED_JSON")
    assert_error(client.post(url, data="[1, 2]", headers=headers), 400, "INVALID_INPUT")


def test_415_for_a_body_that_is_not_json(client, as_user, channel):
    r = client.post(f"/v1/channels/{channel['channelId']}/messages", data="content=hi",
                    headers={**as_user(ALICE), "Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("headers,code,challenge", [
    ({}, "UNAUTHENTICATED", 'Bearer realm="apidesign"'),
    ({"X-User-Id": "usr_alice"}, "UNAUTHENTICATED", 'Bearer realm="apidesign"'),  # the old stub is no credential
    ({"Authorization": "Basic dXNyOnB3"}, "UNAUTHENTICATED", 'Bearer realm="apidesign"'),
    ({"Authorization": "Bearer not.a.jwt"}, "INVALID_TOKEN", 'Bearer realm="apidesign", error="invalid_token"'),
])
def test_401_with_a_bearer_challenge_when_credentials_are_missing_or_invalid(client, headers, code, challenge):
    r = client.get("/v1/users/usr_alice/channels", headers=headers)
    assert_error(r, 401, code)
    assert r.headers["WWW-Authenticate"].startswith(challenge)


def test_403_for_a_non_member_and_for_someone_elses_channel_list(client, as_user, channel):
    assert_error(send(client, as_user, channel["channelId"], user=CAROL), 403, "FORBIDDEN")
    assert_error(client.get(f"/v1/users/{ALICE}/channels", headers=as_user(BOB)), 403, "FORBIDDEN")


def test_403_when_deleting_someone_elses_message(client, as_user, channel):
    mid = send(client, as_user, channel["channelId"]).get_json()["data"]["messageId"]
    assert_error(client.delete(f"/v1/messages/{mid}", headers=as_user(BOB)), 403, "FORBIDDEN")


def test_404_for_unknown_channel_user_message_and_route(client, as_user):
    h = as_user(ALICE)
    assert_error(send(client, as_user, "ch_missing"), 404, "NOT_FOUND")
    assert_error(client.get("/v1/users/usr_ghost/channels", headers=h), 404, "NOT_FOUND")
    assert_error(client.get("/v1/messages/msg_missing", headers=h), 404, "NOT_FOUND")
    assert_error(client.get("/no/such/route", headers=h), 404, "NOT_FOUND")


def test_405_carries_allow_header(client, as_user):
    r = client.put("/v1/channels", json={}, headers=as_user(ALICE))
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in r.headers["Allow"]


def test_409_for_a_duplicate_channel_name(client, as_user, channel):
    r = client.post("/v1/channels", json={"name": "general"}, headers=as_user(CAROL))
    err = assert_error(r, 409, "CONFLICT")
    assert err["details"] == [{"field": "name", "issue": "already_exists"}]


def test_413_for_an_oversized_body(client, as_user, channel):
    r = client.post(f"/v1/channels/{channel['channelId']}/messages", data=b"x" * (2 << 20),
                    headers={**as_user(ALICE), "Content-Type": "application/json"})
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("exc", [errors.Unprocessable("no"), errors.RateLimited("slow", headers={"Retry-After": "2"}),
                                 errors.ServiceUnavailable("down")])
def test_any_api_error_raised_in_a_route_becomes_the_envelope(app, exc):
    app.add_url_rule("/boom", "boom", lambda: (_ for _ in ()).throw(exc))
    r = app.test_client().get("/boom")
    assert_error(r, exc.status, exc.code)
    for k, v in exc.headers.items():
        assert r.headers[k] == v


def test_500_is_the_envelope_with_a_generic_message_and_no_traceback(app):
    def crash():
        raise RuntimeError("secret internal detail")
    app.add_url_rule("/crash", "crash", crash)
    r = app.test_client().get("/crash")
    assert_error(r, 500, "INTERNAL")
    assert "secret" not in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)
