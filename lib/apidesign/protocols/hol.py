"""Head-of-line blocking: a small, seeded discrete-event model of one page load.

Model (every assumption is a knob or stated here):

* ``streams`` responses of ``packets`` packets each are requested at time 0.
* The bottleneck link sends one packet every ``gap`` seconds, shared by all connections.
* A packet arrives ``rtt / 2`` after it is sent. Each lost transmission costs one ``rtt``
  (time to notice the loss and retransmit); a retransmission can be lost again.
  Losses are drawn once per packet, so every protocol sees the *same* losses.
  Retransmissions do not take a fresh send slot (the link is not the bottleneck for them).
* HTTP/1.1: ``connections`` TCP connections, streams assigned round-robin; each connection
  serves its responses one after another (no pipelining): the next request leaves when the
  previous response is complete, so it pays ``rtt / 2`` before its first packet is sent.
* HTTP/2: one TCP connection, streams interleaved packet by packet. TCP delivers bytes in
  order, so a packet reaches the application only when every earlier packet of the
  connection has arrived: one loss stalls every stream.
* HTTP/3: the same interleaving over one QUIC connection, but ordering is per stream:
  a loss stalls only the stream it belongs to.
* Handshakes and congestion control are left out: the model isolates ordering. So compare
  protocols by ``loss_delay`` (what loss adds to each stream), not by raw completion times:
  those also reflect the round-robin scheduling above and HTTP/1.1's six connections, whose
  real costs (six handshakes, six congestion controllers, six sockets of server state) are
  not modelled.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace

PROTOCOLS = ("HTTP/1.1", "HTTP/2", "HTTP/3")


class InvalidScenario(ValueError):
    """A scenario outside the model's domain (e.g. loss rate of 1: nothing ever arrives)."""


@dataclass(frozen=True)
class Scenario:
    """One page load: how many streams, how big, over what network."""

    streams: int = 6
    packets: int = 20           # per stream
    loss: float = 0.02          # probability that one transmission of a packet is lost
    rtt: float = 0.1            # seconds
    gap: float = 0.001          # seconds between packets on the bottleneck link
    connections: int = 6        # HTTP/1.1 only: browsers open about six per origin
    seed: int = 0

    def __post_init__(self):
        if not 0 <= self.loss < 1:
            raise InvalidScenario(f"loss must be in [0, 1), got {self.loss}")
        if min(self.streams, self.packets, self.connections) < 1 or self.rtt < 0 or self.gap < 0:
            raise InvalidScenario("streams, packets and connections must be >= 1; rtt and gap >= 0")


def loss_counts(s: Scenario) -> list[list[int]]:
    """How many times each packet (stream, index) is lost before it gets through: geometric draws."""
    rng = random.Random(s.seed)

    def losses() -> int:
        n = 0
        while rng.random() < s.loss:
            n += 1
        return n
    return [[losses() for _ in range(s.packets)] for _ in range(s.streams)]


def arrival(sent: float, lost: int, rtt: float) -> float:
    """When a packet sent at ``sent`` finally arrives, after ``lost`` lost tries of one RTT each."""
    return sent + lost * rtt + rtt / 2


def interleaved(s: Scenario, lost: list[list[int]]) -> list[tuple[int, float]]:
    """(stream, arrival time) of every packet of one multiplexed connection, in send order."""
    order = [(i, k) for k in range(s.packets) for i in range(s.streams)]  # round-robin frames
    start = s.rtt / 2  # the requests reach the server
    return [(i, arrival(start + n * s.gap, lost[i][k], s.rtt)) for n, (i, k) in enumerate(order)]


def http3(s: Scenario, lost: list[list[int]]) -> list[float]:
    """Completion time of each stream over QUIC: each stream waits only for its own packets."""
    done = [0.0] * s.streams
    for i, t in interleaved(s, lost):
        done[i] = max(done[i], t)
    return done


def http2(s: Scenario, lost: list[list[int]]) -> list[float]:
    """Completion time of each stream over one TCP connection: in-order delivery across all streams."""
    packets = interleaved(s, lost)
    done = [0.0] * s.streams
    for (i, _), delivered in zip(packets, running_max(t for _, t in packets)):
        done[i] = delivered
    return done


def running_max(times) -> list[float]:
    """TCP hands data over in order: each packet is delivered when it and all before it have arrived."""
    return list(itertools.accumulate(times, max))


def http1(s: Scenario, lost: list[list[int]]) -> list[float]:
    """Completion time of each stream over ``connections`` TCP connections, one response at a time each."""
    k = min(s.connections, s.streams)
    gap = s.gap * k  # k connections share the link fairly
    done = [0.0] * s.streams
    for c in range(k):
        request_sent = 0.0
        for i in range(c, s.streams, k):
            first = request_sent + s.rtt / 2
            times = running_max(arrival(first + n * gap, lost[i][n], s.rtt) for n in range(s.packets))
            done[i] = request_sent = times[-1]
    return done


def loss_delay(s: Scenario) -> dict[str, list[float]]:
    """How much later each stream completes than in the same scenario without loss: the cost of head-of-line blocking."""
    lossless = simulate(replace(s, loss=0.0))
    return {name: [late - early for late, early in zip(times, lossless[name])] for name, times in simulate(s).items()}


def simulate(s: Scenario) -> dict[str, list[float]]:
    """Completion time (seconds) of every stream under each protocol, for the same packet losses."""
    lost = loss_counts(s)
    return dict(zip(PROTOCOLS, (http1(s, lost), http2(s, lost), http3(s, lost))))
