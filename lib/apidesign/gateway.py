"""A real gateway in front of the app: nginx on 127.0.0.1, load-balancing and rate limiting with ``limit_req``.

``limit_req`` is a leaky bucket (the nginx documentation says so): each key's bucket drains at
``rate``; a request that finds it holding more than ``burst`` excess requests is refused. The
gateway can key its limit only on what it sees in the request: the client address, or a header
such as an API key. It cannot see who the caller is once a token is verified, their plan, or what
the request costs; that is why the application keeps limiters of its own (chapter 03).

Where the state lives: the zone in ``limit_req_zone`` is shared memory, so the workers of one
nginx share it; two nginx instances (two gateway hosts behind a load balancer) do not, and each
admits its own share. Every answer names the worker process that handled it (``X-Gateway-Worker``,
nginx's ``$pid``), so a demo can show several workers drawing on one bucket.

Docs: https://nginx.org/en/docs/http/ngx_http_limit_req_module.html
"""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .envelope import error
from .localhost import free_port

NGINX = "nginx"
WORKER_HEADER = "X-Gateway-Worker"  # the nginx worker process (its pid) that answered


def nginx_binary() -> str | None:
    """The nginx executable (on PATH or in /usr/sbin), or None where it is not installed."""
    return shutil.which(NGINX) or shutil.which(NGINX, path="/usr/sbin:/usr/local/sbin")


@dataclass(frozen=True)
class LimitReq:
    """One ``limit_req`` policy: the key, the drain rate and how many excess requests may wait (or pass, with nodelay)."""

    key: str = "$binary_remote_addr"  # or "$http_x_api_key": a header the client sends
    rate: str = "1r/s"
    burst: int = 4
    nodelay: bool = True  # pass the burst at once instead of spacing it out


    @property
    def drain_seconds(self) -> int:
        """Whole seconds until the bucket has drained one request: the honest ``Retry-After`` for a refusal."""
        count, unit = self.rate.split("r/")
        return math.ceil({"s": 1, "m": 60}[unit] / float(count))


def refusal(limit: LimitReq) -> str:
    """The gateway's 429 in the API's own error envelope, with Retry-After (nginx sends neither by itself)."""
    body = json.dumps(error("RATE_LIMITED", f"Too many requests at the gateway: {limit.rate}, burst {limit.burst}."))
    return ("        location @rate_limited {\n"
            "            default_type application/json;\n"
            f"            add_header Retry-After {limit.drain_seconds} always;\n"
            f"            add_header {WORKER_HEADER} $pid always;\n"
            f"            return 429 '{body}';\n"
            "        }\n")


def nginx_conf(upstreams: list[str], port: int, limit: LimitReq | None, workers: int = 1) -> str:
    """An nginx.conf that balances ``upstreams`` (``host:port``) round robin, behind ``limit`` if given.

    With several ``workers``, ``reuseport`` gives each its own listening socket and the kernel spreads
    new connections over them, so a client that opens a connection per request meets several workers.
    """
    servers = "\n".join(f"        server {u};" for u in upstreams)
    zone = f"    limit_req_zone {limit.key} zone=api:1m rate={limit.rate};\n" if limit else ""
    rule = (f"            limit_req zone=api burst={limit.burst}{' nodelay' if limit.nodelay else ''};\n"
            "            limit_req_status 429;\n"
            "            error_page 429 = @rate_limited;\n") if limit else ""
    return f"""worker_processes {workers};
error_log error.log warn;
pid nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
{zone}    upstream app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port}{" reuseport" if workers > 1 else ""};
        location / {{
{rule}            add_header {WORKER_HEADER} $pid always;
            proxy_pass http://app;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
{refusal(limit) if limit else ""}    }}
}}
"""


class Gateway:
    """A running nginx (its own prefix folder, on a free port); ``stop()`` ends it and removes the folder."""

    def __init__(self, upstreams: list[str], limit: LimitReq | None = None, workers: int = 1):
        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (make system-deps installs it)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._prefix = Path(tempfile.mkdtemp(prefix="apidesign-nginx-"))
        (self._prefix / "tmp").mkdir()
        (self._prefix / "nginx.conf").write_text(nginx_conf(upstreams, self.port, limit, workers))
        self._proc = subprocess.Popen([binary, "-p", str(self._prefix), "-c", "nginx.conf", "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_listening()

    def _wait_until_listening(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self._proc.stderr.read().decode(errors='replace')}")
            try:  # a TCP connect, not a request: a request would spend the first token of the bucket
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen within {timeout:g} s")

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc.stderr.close()
        shutil.rmtree(self._prefix, ignore_errors=True)

    def __enter__(self) -> "Gateway":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
