import threading

from apidesign.clock import Clock, FakeClock, SystemClock, WallClock


def test_fake_clock_moves_only_when_advanced():
    clock = FakeClock(100.0)
    assert clock.now() == clock.now() == 100.0
    assert clock.advance(2.5) == 102.5
    clock.set(7)
    assert clock.now() == 7.0


def test_fake_clock_can_step_backwards_to_simulate_ntp_corrections():
    clock = FakeClock(10)
    clock.advance(-3)
    assert clock.now() == 7


def test_system_clock_is_monotonic():
    clock = SystemClock()
    readings = [clock.now() for _ in range(1000)]
    assert readings == sorted(readings)


def test_every_clock_satisfies_the_protocol():
    for clock in (FakeClock(), SystemClock(), WallClock()):
        assert isinstance(clock, Clock)


def test_wall_clock_is_epoch_seconds():
    assert WallClock().now() > 1_700_000_000


def test_fake_clock_advances_are_not_lost_across_threads():
    clock = FakeClock()
    threads = [threading.Thread(target=lambda: [clock.advance(1) for _ in range(1000)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.now() == 8000
