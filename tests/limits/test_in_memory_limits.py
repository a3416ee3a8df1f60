"""The in-process rate limiter and replay guard, on a hand-driven clock."""

from __future__ import annotations

import threading

import pytest

from idcard_ocr.limits import (
    InMemoryRateLimiter,
    InMemoryReplayGuard,
    RateLimiter,
    RedisRateLimiter,
    RedisReplayGuard,
    ReplayGuard,
    make_rate_limiter,
    make_replay_guard,
)


def test_limit_of_five_allows_five_then_refuses(clock):
    limiter = InMemoryRateLimiter(clock)
    assert [limiter.allow("app", 5) for _ in range(7)] == [True] * 5 + [False] * 2


def test_window_slides_rather_than_resetting_on_a_second_boundary(clock):
    limiter = InMemoryRateLimiter(clock)
    # Steps are binary fractions so the clock arithmetic is exact at the window edge.
    clock.advance(0.875)  # late in one calendar second
    assert all(limiter.allow("app", 5) for _ in range(5))
    clock.advance(0.25)  # early in the next: fixed buckets would allow 5 more here
    assert not limiter.allow("app", 5)
    clock.advance(0.6875)  # 0.9375 s after the burst: still inside the window
    assert not limiter.allow("app", 5)
    clock.advance(0.0625)  # exactly 1 s after the burst: it has left the window
    assert [limiter.allow("app", 5) for _ in range(6)] == [True] * 5 + [False]


def test_calls_spread_over_the_second_free_slots_one_by_one(clock):
    limiter = InMemoryRateLimiter(clock)
    for _ in range(3):
        assert limiter.allow("app", 3)
        clock.advance(0.25)
    assert not limiter.allow("app", 3)  # t=0.75: three calls in (-0.25, 0.75]
    clock.advance(0.25)  # t=1.0: the call at 0.0 has left
    assert limiter.allow("app", 3)
    assert not limiter.allow("app", 3)


def test_refused_calls_are_not_counted(clock):
    limiter = InMemoryRateLimiter(clock)
    assert limiter.allow("app", 1)
    for _ in range(48):
        clock.advance(0.015625)
        assert not limiter.allow("app", 1)
    clock.advance(0.25)  # 1.0 s after the only allowed call
    assert limiter.allow("app", 1)


def test_keys_are_limited_separately(clock):
    limiter = InMemoryRateLimiter(clock)
    assert [limiter.allow("a", 2) for _ in range(3)] == [True, True, False]
    assert [limiter.allow("b", 2) for _ in range(3)] == [True, True, False]


def test_idle_keys_are_forgotten(clock):
    limiter = InMemoryRateLimiter(clock)
    for i in range(100):
        limiter.allow(f"app{i}", 1)
    assert len(limiter) == 100
    clock.advance(10)
    limiter.allow("late", 1)
    assert len(limiter) == 1


@pytest.mark.parametrize("bad", [0, -1])
def test_limit_below_one_is_an_error(bad):
    with pytest.raises(ValueError):
        InMemoryRateLimiter().allow("app", bad)


def test_ten_threads_hammering_five_per_second_get_exactly_five(clock):
    limiter = InMemoryRateLimiter(clock)
    start = threading.Barrier(10)
    results: list[bool] = []
    results_lock = threading.Lock()

    def hammer() -> None:
        start.wait()
        mine = [limiter.allow("shared", 5) for _ in range(50)]
        with results_lock:
            results.extend(mine)

    threads = [threading.Thread(target=hammer) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 500
    assert results.count(True) == 5


def test_ten_threads_on_the_real_clock_never_exceed_the_limit():
    limiter = InMemoryRateLimiter()
    start = threading.Barrier(10)
    allowed = []

    def hammer() -> None:
        start.wait()
        allowed.append(sum(limiter.allow("shared", 5) for _ in range(20)))

    threads = [threading.Thread(target=hammer) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 200 calls take far less than a second; even on a stalled machine at most 5 per second pass.
    assert 5 <= sum(allowed) <= 10


def test_replay_guard_accepts_a_key_once_within_its_ttl(clock):
    guard = InMemoryReplayGuard(clock)
    assert guard.first_use("sign-1", 300)
    assert not guard.first_use("sign-1", 300)
    assert guard.first_use("sign-2", 300)
    clock.advance(299.9)
    assert not guard.first_use("sign-1", 300)
    clock.advance(0.1)
    assert guard.first_use("sign-1", 300)


def test_replay_guard_forgets_expired_keys(clock):
    guard = InMemoryReplayGuard(clock)
    for i in range(1000):
        guard.first_use(f"sign-{i}", 5)
    assert len(guard) == 1000
    clock.advance(5)
    assert len(guard) == 0


def test_replay_guard_has_one_winner_among_racing_threads():
    guard = InMemoryReplayGuard()
    start = threading.Barrier(10)
    wins: list[bool] = []

    def race() -> None:
        start.wait()
        wins.append(guard.first_use("same-sign", 60))

    threads = [threading.Thread(target=race) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 9 + [True]


@pytest.mark.parametrize("bad", [0, -5, float("nan")])
def test_replay_guard_refuses_a_non_positive_ttl(bad):
    with pytest.raises(ValueError):
        InMemoryReplayGuard().first_use("sign", bad)


@pytest.mark.parametrize("url", [None, ""])
def test_factories_stay_in_process_without_a_redis_url(url):
    assert isinstance(make_rate_limiter(url), InMemoryRateLimiter)
    assert isinstance(make_replay_guard(url), InMemoryReplayGuard)


def test_factories_use_redis_when_a_url_is_set_without_connecting_yet():
    limiter = make_rate_limiter("redis://127.0.0.1:1/0")
    guard = make_replay_guard("redis://127.0.0.1:1/0")
    assert isinstance(limiter, RedisRateLimiter) and isinstance(limiter, RateLimiter)
    assert isinstance(guard, RedisReplayGuard) and isinstance(guard, ReplayGuard)
