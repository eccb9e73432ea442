"""The batch endpoint: 207 Multi-Status with a status and an error envelope per item."""

ALICE = "usr_alice"


def make_channel(client, as_user):
    return client.post("/v1/channels", json={"name": "general"}, headers=as_user(ALICE)).get_json()["data"]["channelId"]


def test_a_batch_answers_207_with_one_result_per_item_in_order(client, as_user):
    cid = make_channel(client, as_user)
    items = [{"content": "one"}, {"content": ""}, "not an object", {"content": "four", "type": "markdown"}]
    r = client.post(f"/v1/channels/{cid}/messages:batchCreate", json={"messages": items}, headers=as_user(ALICE))
    assert r.status_code == 207
    body = r.get_json()
    assert [x["index"] for x in body["data"]] == [0, 1, 2, 3]
    assert [x["status"] for x in body["data"]] == [201, 400, 400, 201]
    assert body["data"][1]["error"]["details"] == [{"field": "content", "issue": "too_short", "min": 1}]
    assert body["data"][2]["error"]["code"] == "INVALID_INPUT"
    assert body["meta"] == {"succeeded": 2, "failed": 2}
    listed = client.get(f"/v1/channels/{cid}/messages?limit=100", headers=as_user(ALICE)).get_json()["data"]
    assert sorted(m["content"] for m in listed) == ["four", "one"]


def test_a_batch_that_is_wrong_as_a_whole_is_a_plain_4xx(client, as_user):
    cid = make_channel(client, as_user)
    url = f"/v1/channels/{cid}/messages:batchCreate"
    assert client.post(url, json={"messages": []}, headers=as_user(ALICE)).status_code == 400
    assert client.post(url, json={"messages": [{}] * 101}, headers=as_user(ALICE)).status_code == 400
    assert client.post(url, json={"messages": [{"content": "x"}]}, headers=as_user("usr_bob")).status_code == 403


def test_a_batch_with_an_idempotency_key_is_replayed_not_rerun(client, as_user):
    cid = make_channel(client, as_user)
    headers = {**as_user(ALICE), "Idempotency-Key": "batch-1"}
    first = client.post(f"/v1/channels/{cid}/messages:batchCreate", json={"messages": [{"content": "a"}]}, headers=headers)
    again = client.post(f"/v1/channels/{cid}/messages:batchCreate", json={"messages": [{"content": "a"}]}, headers=headers)
    assert again.status_code == 207 and again.data == first.data and again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get(f"/v1/channels/{cid}/messages?limit=100", headers=as_user(ALICE)).get_json()["data"]) == 1


def test_a_batch_in_which_every_item_fails_is_a_400_error_envelope_with_each_items_error(client, as_user):
    cid = make_channel(client, as_user)
    items = [{"content": ""}, "not an object"]
    r = client.post(f"/v1/channels/{cid}/messages:batchCreate", json={"messages": items}, headers=as_user(ALICE))
    assert r.status_code == 400, "nothing was created: a 2xx would tell a status-only client it worked"
    error = r.get_json()["error"]
    assert error["code"] == "BATCH_FAILED" and "data" not in r.get_json()
    assert [(d["index"], d["status"]) for d in error["details"]] == [(0, 400), (1, 400)]
    assert error["details"][0]["error"]["details"] == [{"field": "content", "issue": "too_short", "min": 1}]
    assert error["details"][1]["error"]["code"] == "INVALID_INPUT"
    assert client.get(f"/v1/channels/{cid}/messages", headers=as_user(ALICE)).get_json()["data"] == []


def test_an_all_failed_batch_does_not_use_up_its_idempotency_key(client, as_user):
    cid = make_channel(client, as_user)
    url, headers = f"/v1/channels/{cid}/messages:batchCreate", {**as_user(ALICE), "Idempotency-Key": "batch-1"}
    client.post(url, json={"messages": [{"content": ""}]}, headers=headers)  # nothing created
    fixed = client.post(url, json={"messages": [{"content": "a"}]}, headers=headers)
    assert fixed.status_code == 207 and "Idempotent-Replayed" not in fixed.headers


def test_the_status_of_an_all_failed_batch_is_the_items_own_when_they_agree():
    from apidesign.server.batch import every_item_failed
    assert every_item_failed([{"index": 0, "status": 403, "error": {}}]).status == 403
    assert every_item_failed([{"index": 0, "status": 403, "error": {}},
                              {"index": 1, "status": 400, "error": {}}]).status == 400
