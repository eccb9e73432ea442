"""REST conventions on the reference API: paged history, PUT vs PATCH, status codes, versions, deprecation."""

import pytest
import requests

from apidesign.server import credentials

ALICE, BOB, CAROL = "usr_alice", "usr_bob", "usr_carol"


@pytest.fixture
def channel(client, as_user):
    r = client.post("/v1/channels", json={"name": "general", "topic": "chat", "memberIds": [BOB]},
                    headers=as_user(ALICE))
    return r.get_json()["data"]["channelId"]


@pytest.fixture
def history(client, as_user, channel, clock):
    """45 messages in 'general', a second apart, some in the same millisecond."""
    for i in range(45):
        client.post(f"/v1/channels/{channel}/messages", json={"content": f"m{i}"}, headers=as_user(ALICE))
        clock.advance(0 if i % 3 else 1)
    return channel


def links(r) -> dict[str, str]:
    """rel -> URL, from every Link header of a test-client response."""
    return {link["rel"]: link["url"] for link in requests.utils.parse_header_links(", ".join(r.headers.getlist("Link")))}


def error_of(r, status, code):
    assert r.status_code == status, r.get_json()
    body = r.get_json()
    assert body["error"]["code"] == code
    return body["error"]


# --- pagination over the test client -------------------------------------------

def test_cursor_walk_pages_through_history_newest_first_with_meta_and_link(client, as_user, history):
    url, seen, sizes = f"/v1/channels/{history}/messages?limit=20", [], []
    while url:
        r = client.get(url, headers=as_user(BOB))
        assert r.status_code == 200
        body = r.get_json()
        seen += body["data"]
        sizes.append(body["meta"]["count"])
        nxt = links(r).get("next")
        assert body["meta"]["hasMore"] == bool(nxt)
        if body["meta"]["hasMore"]:
            assert f"cursor={body['meta']['nextCursor']}" in nxt
            url = nxt.replace("http://localhost", "")
        else:
            assert body["meta"]["nextCursor"] is None
            url = None
    assert sizes == [20, 20, 5]
    keys = [(m["createdAt"], m["messageId"]) for m in seen]
    assert keys == sorted(keys, reverse=True), "newest first, ties broken by ID"
    assert sorted(m["content"] for m in seen) == sorted(f"m{i}" for i in range(45))


def test_offset_mode_reports_next_offset_and_links_to_it(client, as_user, history):
    r = client.get(f"/v1/channels/{history}/messages?offset=40&limit=3&order=oldest", headers=as_user(BOB))
    meta = r.get_json()["meta"]
    assert {m["content"] for m in r.get_json()["data"]} == {"m40", "m41", "m42"}  # one millisecond, ID order
    assert (meta["offset"], meta["nextOffset"], meta["hasMore"]) == (40, 43, True)
    assert f'<http://localhost/v1/channels/{history}/messages?offset=43&limit=3&order=oldest>; rel="next"' \
        in r.headers.getlist("Link")


def test_a_limit_above_the_maximum_is_clamped_and_reported_and_one_below_1_is_a_400(client, as_user, history):
    r = client.get(f"/v1/channels/{history}/messages?limit=1000", headers=as_user(BOB))
    assert r.get_json()["meta"]["limit"] == 100 and r.get_json()["meta"]["count"] == 45
    r = client.get(f"/v1/channels/{history}/messages?limit=0", headers=as_user(BOB))
    assert r.status_code == 400
    assert r.get_json()["error"]["details"] == [{"field": "limit", "issue": "too_small", "min": 1}]


def test_tampered_cursor_is_400_invalid_cursor(client, as_user, history):
    cursor = client.get(f"/v1/channels/{history}/messages?limit=5", headers=as_user(BOB)).get_json()["meta"]["nextCursor"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    err = error_of(client.get(f"/v1/channels/{history}/messages?cursor={tampered}", headers=as_user(BOB)),
                   400, "INVALID_CURSOR")
    assert err["details"] == [{"field": "cursor", "issue": "bad_signature"}]


def test_cursor_from_another_channel_is_400_invalid_cursor(client, as_user, history):
    other = client.post("/v1/channels", json={"name": "random", "memberIds": [BOB]}, headers=as_user(ALICE))
    other_id = other.get_json()["data"]["channelId"]
    cursor = client.get(f"/v1/channels/{history}/messages?limit=5", headers=as_user(BOB)).get_json()["meta"]["nextCursor"]
    err = error_of(client.get(f"/v1/channels/{other_id}/messages?cursor={cursor}", headers=as_user(BOB)),
                   400, "INVALID_CURSOR")
    assert err["details"][0]["issue"] == "foreign_collection"


def test_cursor_from_another_app_key_is_refused(app, client, as_user, history, clock):
    from apidesign.server import create_app
    other = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "ID_SEED": 1, "CURSOR_KEY": "another key"})
    oc = other.test_client()
    cid = oc.post("/v1/channels", json={"name": "general", "memberIds": [BOB]},
                  headers=dict(credentials(other, ALICE))).get_json()["data"]["channelId"]
    for i in range(3):
        oc.post(f"/v1/channels/{cid}/messages", json={"content": "x"}, headers=dict(credentials(other, ALICE)))
    cursor = oc.get(f"/v1/channels/{cid}/messages?limit=1",
                    headers=dict(credentials(other, BOB))).get_json()["meta"]["nextCursor"]
    assert cid == history  # same seed, same channel ID: only the key tells the cursors apart
    error_of(client.get(f"/v1/channels/{history}/messages?cursor={cursor}", headers=as_user(BOB)), 400, "INVALID_CURSOR")


@pytest.mark.parametrize("cursor", ["%%%", "abc", "x" * 600, "eyJpZCI6MTIzfQ"])
def test_malformed_cursor_is_400_invalid_cursor_not_500(client, as_user, history, cursor):
    error_of(client.get(f"/v1/channels/{history}/messages?cursor={cursor}", headers=as_user(BOB)), 400, "INVALID_CURSOR")


@pytest.mark.parametrize("query, field, issue", [
    ("limit=ten", "limit", "must_be_integer"),
    ("offset=-1", "offset", "too_small"),
    ("offset=x", "offset", "must_be_integer"),
    ("order=sideways", "order", "invalid_choice"),
    ("offset=0&cursor=abc", "offset", "conflicts_with_cursor"),
])
def test_bad_paging_parameters_are_400_with_field_details(client, as_user, history, query, field, issue):
    err = error_of(client.get(f"/v1/channels/{history}/messages?{query}", headers=as_user(BOB)), 400, "INVALID_INPUT")
    assert err["details"][0]["field"] == field and err["details"][0]["issue"] == issue


def test_cursor_keeps_its_order_and_refuses_a_different_one(client, as_user, history):
    first = client.get(f"/v1/channels/{history}/messages?limit=2&order=oldest", headers=as_user(BOB)).get_json()
    cursor = first["meta"]["nextCursor"]
    nxt = client.get(f"/v1/channels/{history}/messages?limit=2&cursor={cursor}", headers=as_user(BOB)).get_json()
    assert {m["content"] for m in first["data"] + nxt["data"]} == {"m0", "m1", "m2", "m3"}
    err = error_of(client.get(f"/v1/channels/{history}/messages?cursor={cursor}&order=newest", headers=as_user(BOB)),
                   400, "INVALID_CURSOR")
    assert err["details"][0]["issue"] == "wrong_order"


def test_history_of_unknown_channel_is_404_and_of_a_foreign_channel_403(client, as_user, history):
    error_of(client.get("/v1/channels/ch_nope/messages", headers=as_user(BOB)), 404, "NOT_FOUND")
    error_of(client.get(f"/v1/channels/{history}/messages", headers=as_user(CAROL)), 403, "FORBIDDEN")


# --- PUT vs PATCH ---------------------------------------------------------------

def test_put_replaces_the_whole_channel_so_omitted_fields_fall_back_to_defaults(client, as_user, channel):
    r = client.put(f"/v1/channels/{channel}", json={"name": "general-2"}, headers=as_user(ALICE))
    assert r.status_code == 200
    data = r.get_json()["data"]
    assert (data["name"], data["topic"], data["memberIds"]) == ("general-2", "", [ALICE])


def test_put_is_idempotent(client, as_user, channel):
    body = {"name": "general", "topic": "all hands", "memberIds": [BOB, CAROL]}
    first = client.put(f"/v1/channels/{channel}", json=body, headers=as_user(ALICE))
    second = client.put(f"/v1/channels/{channel}", json=body, headers=as_user(ALICE))
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()


def test_patch_changes_only_the_fields_sent_and_null_clears_the_topic(client, as_user, channel):
    r = client.patch(f"/v1/channels/{channel}", json={"topic": "standup"}, headers=as_user(BOB))
    data = r.get_json()["data"]
    assert r.status_code == 200 and (data["name"], data["topic"], data["memberIds"]) == ("general", "standup", [ALICE, BOB])
    r = client.patch(f"/v1/channels/{channel}", json={"topic": None}, headers=as_user(BOB),
                     content_type="application/merge-patch+json")
    assert r.get_json()["data"]["topic"] == ""


def test_patch_as_merge_patch_json_is_the_declared_format_and_plain_json_still_works(client, as_user, channel):
    for media, topic in (("application/merge-patch+json", "standup"), ("application/json", "retro")):
        r = client.patch(f"/v1/channels/{channel}", json={"topic": topic}, headers=as_user(BOB), content_type=media)
        assert r.status_code == 200 and r.get_json()["data"]["topic"] == topic


def test_patch_in_another_patch_format_is_415_naming_the_accepted_ones(client, as_user, channel):
    json_patch = [{"op": "replace", "path": "/topic", "value": "x"}]  # RFC 6902, which this API does not read
    r = client.patch(f"/v1/channels/{channel}", json=json_patch, headers=as_user(BOB),
                     content_type="application/json-patch+json")
    error_of(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert r.headers["Accept-Patch"] == "application/merge-patch+json, application/json"
    assert client.get(f"/v1/channels/{channel}", headers=as_user(BOB)).get_json()["data"]["topic"] != "x"


def test_put_without_a_name_is_400_naming_the_field(client, as_user, channel):
    err = error_of(client.put(f"/v1/channels/{channel}", json={"topic": "x", "colour": "red"}, headers=as_user(ALICE)),
                   400, "INVALID_INPUT")
    assert {(d["field"], d["issue"]) for d in err["details"]} == {("name", "required"), ("colour", "unknown_field")}


def test_patch_with_bad_fields_is_400_and_changes_nothing(client, as_user, channel):
    err = error_of(client.patch(f"/v1/channels/{channel}", json={"name": "Bad Name!", "memberIds": ["usr_ghost"]},
                                headers=as_user(ALICE)), 400, "INVALID_INPUT")
    assert {d["issue"] for d in err["details"]} == {"invalid_format", "unknown_user"}
    assert client.get(f"/v1/channels/{channel}", headers=as_user(ALICE)).get_json()["data"]["name"] == "general"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_renaming_onto_a_taken_name_is_409(client, as_user, channel, method):
    client.post("/v1/channels", json={"name": "random"}, headers=as_user(ALICE))
    r = getattr(client, method)(f"/v1/channels/{channel}", json={"name": "random"}, headers=as_user(ALICE))
    error_of(r, 409, "CONFLICT")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_updating_needs_membership_and_an_existing_channel(client, as_user, channel, method):
    send = getattr(client, method)
    error_of(send(f"/v1/channels/{channel}", json={"name": "x"}, headers=as_user(CAROL)), 403, "FORBIDDEN")
    error_of(send("/v1/channels/ch_nope", json={"name": "x"}, headers=as_user(ALICE)), 404, "NOT_FOUND")


def test_unsupported_method_is_405_with_allow(client, as_user, channel):
    r = client.delete(f"/v1/channels/{channel}", headers=as_user(ALICE))
    error_of(r, 405, "METHOD_NOT_ALLOWED")
    assert {"GET", "PUT", "PATCH"} <= {m.strip() for m in r.headers["Allow"].split(",")}


def test_create_is_201_with_location_and_delete_is_204_without_body(client, as_user, channel):
    r = client.post(f"/v1/channels/{channel}/messages", json={"content": "hi"}, headers=as_user(ALICE))
    assert r.status_code == 201 and r.headers["Location"].startswith("/v1/messages/msg_")
    r = client.delete(r.headers["Location"], headers=as_user(ALICE))
    assert r.status_code == 204 and r.data == b""


# --- versions ----------------------------------------------------------------------

def test_v2_embeds_the_sender_object_instead_of_sender_id(client, as_user, history):
    v1 = client.get(f"/v1/channels/{history}/messages?limit=1", headers=as_user(BOB)).get_json()["data"][0]
    v2 = client.get(f"/v2/channels/{history}/messages?limit=1", headers=as_user(BOB)).get_json()["data"][0]
    assert v1["senderId"] == ALICE and "sender" not in v1
    assert v2["sender"] == {"userId": ALICE, "name": "Alice"} and "senderId" not in v2
    assert {k: v for k, v in v1.items() if k != "senderId"} == {k: v for k, v in v2.items() if k != "sender"}


def test_v2_send_returns_201_in_the_v2_shape_with_a_v2_location(client, as_user, channel):
    r = client.post(f"/v2/channels/{channel}/messages", json={"content": "hi"}, headers=as_user(BOB))
    assert r.status_code == 201
    data = r.get_json()["data"]
    assert r.headers["Location"] == f"/v2/messages/{data['messageId']}"
    assert client.get(r.headers["Location"], headers=as_user(ALICE)).get_json()["data"] == data
    assert data["sender"]["name"] == "Bob"


def test_v1_responses_announce_deprecation_sunset_and_successor(client, as_user, history):
    r = client.get(f"/v1/channels/{history}/messages?limit=1", headers=as_user(BOB))
    assert r.headers["Deprecation"].startswith("@") and int(r.headers["Deprecation"][1:]) > 0
    assert r.headers["Sunset"].endswith(" GMT")
    links = r.headers.getlist("Link")
    assert f'<http://localhost/v2/channels/{history}/messages>; rel="successor-version"' in links
    assert any('rel="next"' in link for link in links)


def test_a_path_outside_latin_1_still_gets_a_404_envelope_with_a_percent_encoded_successor_link(client, as_user, live):
    import requests
    r = requests.get(f"{live.url}/v1/channels/h%F3%93%A9%85x", headers=as_user(BOB), timeout=5)
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    assert r.links["successor-version"]["url"] == f"{live.url}/v2/channels/h%F3%93%A9%85x"


def test_an_empty_cursor_beside_an_offset_means_from_the_start_not_a_conflict(client, as_user, history):
    r = client.get(f"/v1/channels/{history}/messages?cursor=&offset=0&limit=2", headers=as_user(BOB))
    assert r.status_code == 200 and r.get_json()["meta"]["offset"] == 0


def test_v2_responses_and_v1_paths_without_a_successor_are_not_deprecated(client, as_user, history):
    assert "Deprecation" not in client.get(f"/v2/channels/{history}/messages", headers=as_user(BOB)).headers
    assert "Deprecation" not in client.get(f"/v2/channels/{history}", headers=as_user(BOB)).headers
    assert "Deprecation" not in client.get("/v1/no-such-thing", headers=as_user(BOB)).headers


CORE_V1_ROUTES = {("/v1/channels", "POST"), ("/v1/channels/<channel_id>", "GET"), ("/v1/channels/<channel_id>", "PUT"),
                  ("/v1/channels/<channel_id>", "PATCH"), ("/v1/users/<user_id>/channels", "GET"),
                  ("/v1/channels/<channel_id>/messages", "GET"), ("/v1/channels/<channel_id>/messages", "POST"),
                  ("/v1/messages/<message_id>", "GET"), ("/v1/messages/<message_id>", "DELETE")}


def test_every_core_v1_route_has_a_v2_successor(app):
    rules = {(r.rule, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    assert CORE_V1_ROUTES <= rules
    assert {("/v2/" + rule[4:], m) for rule, m in CORE_V1_ROUTES} <= rules


def test_channels_are_served_unchanged_under_v2_with_v2_locations(client, as_user):
    r = client.post("/v2/channels", json={"name": "general", "memberIds": [BOB]}, headers=as_user(ALICE))
    assert r.status_code == 201 and r.headers["Location"].startswith("/v2/channels/ch_")
    assert "Deprecation" not in r.headers
    got = client.get(r.headers["Location"], headers=as_user(BOB))
    assert got.get_json() == client.get(r.headers["Location"].replace("/v2/", "/v1/"), headers=as_user(BOB)).get_json()
    # v2 writes must be conditional (tests/test_conditional.py): If-Match with the ETag just read
    r = client.patch(r.headers["Location"], json={"topic": "v2"}, headers={**as_user(BOB), "If-Match": got.headers["ETag"]})
    assert r.status_code == 200 and r.get_json()["data"]["topic"] == "v2"
    assert client.get(f"/v1/channels/{got.get_json()['data']['channelId']}", headers=as_user(BOB)).headers["Deprecation"]


def test_deprecation_dates_come_from_config(clock):
    from apidesign.server import create_app
    app = create_app({"CLOCK": clock, "WALL_CLOCK": clock, "V1_DEPRECATED_AT": 1_000, "V1_SUNSET_AT": 0})
    r = app.test_client().get("/v1/messages/msg_x", headers=dict(credentials(app, ALICE)))
    assert r.headers["Deprecation"] == "@1000" and r.headers["Sunset"] == "Thu, 01 Jan 1970 00:00:00 GMT"


@pytest.mark.parametrize("accept, version", [
    ("application/vnd.apidesign.v2+json", 2),
    ("application/vnd.apidesign.v1+json", 1),
    ("application/json", 1),
    (None, 1),
    ("application/vnd.apidesign.v2+json;q=0.5, application/vnd.apidesign.v1+json;q=0.9", 1),
])
def test_unversioned_path_negotiates_the_version_from_accept(client, as_user, history, accept, version):
    headers = {**as_user(BOB), **({"Accept": accept} if accept else {})}
    r = client.get(f"/channels/{history}/messages?limit=1", headers=headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"application/vnd.apidesign.v{version}+json"
    assert "Accept" in r.headers["Vary"]
    assert ("sender" in r.get_json()["data"][0]) == (version == 2)
    assert ("Deprecation" in r.headers) == (version == 1)


def test_unversioned_path_takes_the_version_from_the_query_too(client, as_user, history):
    r = client.get(f"/channels/{history}/messages?limit=1&version=2", headers=as_user(BOB))
    assert "sender" in r.get_json()["data"][0]
    err = error_of(client.get(f"/channels/{history}/messages?version=7", headers=as_user(BOB)), 400, "INVALID_INPUT")
    assert err["details"][0]["field"] == "version"


def test_asking_for_a_version_that_does_not_exist_is_406(client, as_user, history):
    r = client.get(f"/channels/{history}/messages", headers={**as_user(BOB), "Accept": "application/vnd.apidesign.v9+json"})
    error_of(r, 406, "NOT_ACCEPTABLE")


# --- over real HTTP ---------------------------------------------------------------

def test_pagination_walk_over_real_http_follows_link_headers(live, app, history):
    session = requests.Session()
    session.headers.update(credentials(app, BOB))
    url, seen, pages = f"{live.url}/v1/channels/{history}/messages?limit=10&order=oldest", [], 0
    while url:
        r = session.get(url, timeout=5)
        assert r.status_code == 200
        seen += r.json()["data"]
        pages += 1
        url = r.links.get("next", {}).get("url")
    keys = [(m["createdAt"], m["messageId"]) for m in seen]
    assert pages == 5 and keys == sorted(keys) and len(set(keys)) == 45
    assert r.links["successor-version"]["url"] == f"{live.url}/v2/channels/{history}/messages"
    assert live.connections == 1


def test_prev_link_and_prev_cursor_lead_back_to_the_previous_page(client, as_user, history):
    first = client.get(f"/v1/channels/{history}/messages?limit=4", headers=as_user(BOB))
    second = client.get(f"/v1/channels/{history}/messages?limit=4&cursor={first.get_json()['meta']['nextCursor']}",
                        headers=as_user(BOB))
    meta = second.get_json()["meta"]
    assert first.get_json()["meta"]["prevCursor"] is None
    link = second.headers.getlist("Link")[0]
    assert f'cursor={meta["prevCursor"]}&limit=4>; rel="prev"' in link and 'rel="next"' in link
    back = client.get(f"/v1/channels/{history}/messages?limit=4&cursor={meta['prevCursor']}", headers=as_user(BOB))
    assert back.get_json()["data"] == list(reversed(first.get_json()["data"]))


def test_a_users_channel_list_pages_with_cursors_and_never_repeats_or_skips(client, as_user):
    me = as_user("usr_carol")
    made = [client.post("/v1/channels", json={"name": f"c{i}"}, headers=me).get_json()["data"]["channelId"]
            for i in range(5)]
    seen, sizes, url = [], [], "/v1/users/usr_carol/channels?limit=2"
    while url:
        r = client.get(url, headers=me)
        sizes.append(len(r.get_json()["data"]))
        seen += [c["channelId"] for c in r.get_json()["data"]]
        url = links(r).get("next", "").removeprefix("http://localhost")
    assert sizes == [2, 2, 1]
    assert len(seen) == len(set(seen)) and set(seen) == set(made)  # each exactly once (same-ms ties go by ID)


def test_a_channel_list_cursor_only_works_for_the_user_it_was_issued_to(client, as_user):
    for i in range(3):
        for user in ("usr_carol", "usr_dave"):
            client.post("/v1/channels", json={"name": f"{user[4:]}-{i}"}, headers=as_user(user))
    cursor = client.get("/v1/users/usr_carol/channels?limit=1", headers=as_user("usr_carol")).get_json()["meta"]["nextCursor"]
    r = client.get(f"/v1/users/usr_dave/channels?cursor={cursor}", headers=as_user("usr_dave"))
    assert r.status_code == 400 and r.get_json()["error"]["details"][0]["issue"] == "foreign_collection"
