"""The event broker's async wait: a waiter that is cancelled stays cancelled (events.EventBroker.wait_async)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from apidesign.server.events import EventBroker


def run_in_a_thread_of_its_own(coroutine):
    """``asyncio.run`` on a fresh thread: in a full run, the browser tests' Playwright keeps a loop running here."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def cancel_as_an_event_arrives(turns: int) -> str:
    """Publish an event to a waiting ``wait_async``, let the loop run ``turns`` times, cancel it: how it ended."""
    broker = EventBroker()
    waiter = asyncio.ensure_future(broker.wait_async("ch_1", 0, 30))
    await asyncio.sleep(0)  # it waits now
    broker.publish("ch_1", "message.created", {})
    for _ in range(turns):  # let the wake-up travel part of the way to the waiter
        await asyncio.sleep(0)
    if not waiter.cancel():
        return "done before the cancel"
    try:
        await waiter
    except asyncio.CancelledError:
        return "cancelled"
    return "returned the event"


def test_a_cancelled_wait_is_cancelled_even_when_an_event_arrives_in_the_same_moment():
    # Python 3.11's asyncio.wait_for returns the result instead of raising when the awaited future completes
    # while the cancellation is on its way; a chat forwarder cancelled then loops on, forwarding to nobody.
    outcomes = [run_in_a_thread_of_its_own(cancel_as_an_event_arrives(turns)) for turns in range(8)]
    assert "returned the event" not in outcomes
    assert "cancelled" in outcomes  # the race was run: at least one cancel reached a waiter that was still waiting
