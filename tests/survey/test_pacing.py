"""The pacer: even spacing at the learnt limit, pauses on an empty window or a 429."""

from __future__ import annotations

import pytest

from langchain_mavera.survey._pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_unknown_limit_does_not_delay() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock)
    assert not pacer.knows_limit
    assert [pacer.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]


def test_learns_the_limit_from_headers_and_spaces_sends() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, margin=0.02)
    pacer.observe({"limit": 60, "remaining": 59, "reset": 1_900_000_000})
    assert pacer.knows_limit
    delays = [pacer.reserve() for _ in range(4)]
    assert delays == pytest.approx([0.0, 1.02, 2.04, 3.06])
    # However the server's minute is aligned, it never sees more than the limit.
    sends = [clock.now + pacer.reserve() for _ in range(200)]
    worst = max(sum(1 for t in sends if start <= t < start + 60) for start in sends)
    assert worst <= 60


def test_a_late_caller_gets_now_not_a_slot_in_the_past() -> None:
    clock = Clock()
    pacer = Pacer(60, clock=clock)
    assert pacer.reserve() == 0.0
    clock.now += 30
    assert pacer.reserve() == 0.0
    assert pacer.reserve() == pytest.approx(pacer.interval)


def test_empty_window_pauses_until_reset() -> None:
    clock = Clock()
    wall = Clock()
    wall.now = 1_800_000_000.0
    pacer = Pacer(600, clock=clock, wall_clock=wall)
    pacer.observe({"limit": 600, "remaining": 0, "reset": 1_800_000_007})
    assert pacer.reserve() == pytest.approx(7.0)
    assert pacer.held() == pytest.approx(7.0)


def test_retry_after_pauses_every_caller() -> None:
    clock = Clock()
    pacer = Pacer(600, clock=clock)
    pacer.back_off(3)
    assert pacer.reserve() == pytest.approx(3.0)
    assert pacer.reserve() == pytest.approx(3.0 + pacer.interval)
