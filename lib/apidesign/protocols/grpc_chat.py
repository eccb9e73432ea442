"""gRPC for real: the chat service of ``chat.proto`` with all four call patterns, on 127.0.0.1.

The Python stubs are generated from ``chat.proto`` by ``grpc_tools.protoc`` the first time
they are needed, into the git-ignored ``data/cache/grpc/<hash of the .proto>/`` (or the user's cache when that is
not writable: ``paths.cache_path``), so they
can never drift from the contract and are never edited by hand.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path
from types import ModuleType

import grpc

from ..clock import Clock
from ..errors import ApiDesignError
from ..ids import IdFactory
from ..paths import cache_path
from ..server.db import iso8601

PROTO = Path(__file__).with_name("chat.proto")
MESSAGE_TYPES = ("text", "markdown")


class StubGenerationFailed(ApiDesignError):
    """``grpc_tools.protoc`` rejected ``chat.proto`` (its message says why)."""


def generate(proto: Path, out: Path) -> None:
    """Run protoc on ``proto``: ``<name>_pb2.py`` and ``<name>_pb2_grpc.py`` appear in ``out``."""
    from grpc_tools import protoc
    out.mkdir(parents=True, exist_ok=True)
    status = protoc.main(["protoc", f"-I{proto.parent}", f"--python_out={out}", f"--grpc_python_out={out}", proto.name])
    if status != 0:
        raise StubGenerationFailed(f"protoc exited with {status} on {proto}")


_loaded: dict[str, tuple[ModuleType, ModuleType]] = {}


def stubs(proto: Path = PROTO) -> tuple[ModuleType, ModuleType]:
    """The generated ``(messages, services)`` modules for ``proto``, generated once per version of the file."""
    digest = hashlib.sha256(proto.read_bytes()).hexdigest()[:16]
    if digest not in _loaded:
        _loaded[digest] = generated(proto, cache_path("grpc", digest))
    return _loaded[digest]


def generated(proto: Path, out: Path) -> tuple[ModuleType, ModuleType]:
    """Generate into ``out`` unless already there, then import."""
    if not (out / f"{proto.stem}_pb2_grpc.py").exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=out.parent))
        generate(proto, scratch)
        umask = os.umask(0)
        os.umask(umask)
        scratch.chmod(0o777 & ~umask)  # mkdtemp makes it 0700: others (students, if root prebuilt it) must read it
        try:
            os.replace(scratch, out)  # atomic: a concurrent reader never sees half the files
        except OSError:  # another process got there first; its files are identical
            shutil.rmtree(scratch, ignore_errors=True)
    return load(out / f"{proto.stem}_pb2.py"), load(out / f"{proto.stem}_pb2_grpc.py")


def load(path: Path) -> ModuleType:
    """Import a generated file under its own name (the ``_grpc`` module imports the ``_pb2`` one by name)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


class ChatService:
    """The servicer: messages kept in memory, timestamps from ``clock``, IDs from ``ids``."""

    def __init__(self, clock: Clock, ids: IdFactory):
        self.pb, _ = stubs()
        self.clock, self.ids = clock, ids
        self.messages: list = []
        self._lock = threading.Lock()

    def store(self, request, context):
        """Validate and keep one message; the stored ``Message``."""
        if not request.content.strip():
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "content must not be empty")
        if (request.type or "text") not in MESSAGE_TYPES:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"type must be one of {', '.join(MESSAGE_TYPES)}")
        with self._lock:
            message = self.pb.Message(message_id=self.ids.new("msg"), channel_id=request.channel_id,
                                      sender_id=request.sender_id, content=request.content,
                                      type=request.type or "text", created_at=iso8601(int(self.clock.now() * 1000)))
            self.messages.append(message)
        return message

    def SendMessage(self, request, context):
        return self.store(request, context)

    def ListMessages(self, request, context):
        with self._lock:
            history = [m for m in self.messages if m.channel_id == request.channel_id]
        yield from history

    def UploadMessages(self, request_iterator, context):
        ids = [self.store(r, context).message_id for r in request_iterator]
        return self.pb.UploadSummary(accepted=len(ids), message_ids=ids)

    def Chat(self, request_iterator, context):
        for request in request_iterator:
            yield self.store(request, context)


class GrpcServer:
    """A gRPC server for ``ChatService`` on a free port of 127.0.0.1; ``.target``, ``.stop()``."""

    def __init__(self, service: ChatService):
        _, services = stubs()
        self.service = service
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        services.add_ChatServiceServicer_to_server(service, self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self.target = f"127.0.0.1:{self.port}"
        self._server.start()

    def stop(self) -> None:
        self._server.stop(grace=None).wait(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def client(target: str):
    """``(channel, stub)`` for a ChatService at ``target``; close the channel when done."""
    _, services = stubs()
    channel = grpc.insecure_channel(target)
    return channel, services.ChatServiceStub(channel)


def converse(stub, requests: list, timeout: float = 5.0) -> list[str]:
    """A bidirectional ``Chat`` that sends each request, and closes the stream, only after the previous reply.

    Returns the client's log of what happened, in order. This only completes if the server answers while the
    request stream is still open: a server that read all requests before replying would never get the second.
    """
    replied, log = queue.Queue(), []

    def outgoing():
        for request in requests:
            log.append(f"client sends {request.content!r} (request stream open)")
            yield request
            replied.get(timeout=timeout)  # wait for its reply before sending more, or closing
        log.append("client closes its request stream")

    for reply in stub.Chat(outgoing(), timeout=timeout):
        log.append(f"client receives {reply.content!r} as {reply.message_id}")
        replied.put(reply)
    return log


MESSAGE_FIELDS = ("messageId", "channelId", "senderId", "content", "type", "createdAt")


def payload_sizes(message: dict) -> dict[str, int]:
    """Bytes of one REST message (its JSON shape) as compact JSON and as the equivalent protobuf ``Message``."""
    missing = [f for f in MESSAGE_FIELDS if not isinstance(message.get(f), str)]
    if missing:
        raise ValueError(f"a message needs these fields as strings: {', '.join(missing)}")
    pb, _ = stubs()
    proto = pb.Message(message_id=message["messageId"], channel_id=message["channelId"],
                       sender_id=message["senderId"], content=message["content"], type=message["type"],
                       created_at=message["createdAt"])
    return {"JSON": len(json.dumps(message, separators=(",", ":")).encode()), "protobuf": proto.ByteSize()}
