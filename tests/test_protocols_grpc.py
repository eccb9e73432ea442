"""The gRPC chat service: generated stubs, the four call patterns, errors, and payload size."""

import queue

import grpc
import pytest

from apidesign.ids import IdFactory
from apidesign.paths import cache_path
from apidesign.protocols import grpc_chat


@pytest.fixture
def stub(clock):
    with grpc_chat.GrpcServer(grpc_chat.ChatService(clock, IdFactory(1))) as server:
        channel, stub = grpc_chat.client(server.target)
        yield stub
        channel.close()


@pytest.fixture
def pb():
    return grpc_chat.stubs()[0]


def send(pb, content, sender="usr_alice"):
    return pb.SendMessageRequest(channel_id="ch_1", sender_id=sender, content=content)


def test_stubs_are_generated_from_the_proto_into_the_cache_not_committed():
    pb, services = grpc_chat.stubs()
    assert hasattr(services, "ChatServiceStub") and pb.DESCRIPTOR.package == "apidesign.chat.v1"
    assert cache_path("grpc") in grpc_chat.Path(pb.__file__).parents


def test_unary_send_returns_the_stored_message(stub, pb):
    m = stub.SendMessage(send(pb, "hi"), timeout=5)
    assert (m.content, m.type, m.sender_id, m.created_at) == ("hi", "text", "usr_alice", "2026-03-12T10:30:00.000Z")
    assert m.message_id.startswith("msg_")


def test_server_streaming_lists_the_channel_history_in_order(stub, pb):
    for text in ("one", "two", "three"):
        stub.SendMessage(send(pb, text), timeout=5)
    stream = stub.ListMessages(pb.ListMessagesRequest(channel_id="ch_1"), timeout=5)
    assert [m.content for m in stream] == ["one", "two", "three"]


def test_client_streaming_uploads_a_batch_and_gets_one_summary(stub, pb):
    summary = stub.UploadMessages(iter([send(pb, f"m{i}") for i in range(4)]), timeout=5)
    assert summary.accepted == 4 and len(set(summary.message_ids)) == 4


def test_bidirectional_streaming_answers_each_message_before_the_next_is_sent(stub, pb):
    outbox = queue.Queue()
    replies = stub.Chat(iter(outbox.get, None), timeout=5)  # the request stream ends at None
    for text in ("ping", "pong"):
        outbox.put(send(pb, text))
        assert next(replies).content == text  # the reply came while the request stream is still open
    outbox.put(None)
    assert list(replies) == []


def test_invalid_input_is_a_grpc_invalid_argument_status(stub, pb):
    with pytest.raises(grpc.RpcError) as err:
        stub.SendMessage(send(pb, "   "), timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_protobuf_encodes_the_syllabus_message_in_fewer_bytes_than_json():
    sizes = grpc_chat.payload_sizes({"messageId": "msg_a1b2c3", "channelId": "ch_x9y8z7", "senderId": "usr_p4q5r6",
                                     "content": "Hello, world!", "type": "text", "createdAt": "2026-03-12T10:30:00Z"})
    assert sizes["protobuf"] < sizes["JSON"]


def test_bidirectional_replies_arrive_while_the_request_stream_is_still_open(stub, pb):
    log = grpc_chat.converse(stub, [send(pb, "ping"), send(pb, "pong")])
    assert log.index("client sends 'pong' (request stream open)") > next(
        i for i, line in enumerate(log) if line.startswith("client receives 'ping'"))
    assert log.index("client closes its request stream") > log.index("client sends 'pong' (request stream open)")


def test_the_conversation_log_has_one_order_every_time(stub, pb):
    """The log is printed in 01 and compared by nbval: the stream closes only after the last reply was logged."""
    for _ in range(20):
        log = grpc_chat.converse(stub, [send(pb, "ping"), send(pb, "bye")])
        assert [line.split(" as ")[0] for line in log] == [
            "client sends 'ping' (request stream open)", "client receives 'ping'",
            "client sends 'bye' (request stream open)", "client receives 'bye'", "client closes its request stream"]


@pytest.mark.parametrize("message", [{}, {"messageId": "msg_1"},
                                     {"messageId": 1, "channelId": "c", "senderId": "s", "content": "x", "type": "text",
                                      "createdAt": "t"}])
def test_payload_sizes_names_the_missing_fields_instead_of_a_key_error(message):
    with pytest.raises(ValueError, match="needs these fields"):
        grpc_chat.payload_sizes(message)
