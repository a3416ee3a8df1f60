"""The Redis-backed rate limiter and replay guard, against a real Redis (database 15)."""

from __future__ import annotations

import threading
import time

import pytest

from idcard_ocr.limits import LimitsBackendError, RedisRateLimiter, RedisReplayGuard, make_rate_limiter

pytestmark = pytest.mark.redis


def test_limit_of_three_slides_with_time(new_client, key_prefix):
    limiter = RedisRateLimiter(new_client(), prefix=key_prefix)
    assert [limiter.allow("app", 3) for _ in range(5)] == [True, True, True, False, False]
    time.sleep(1.05)
    assert [limiter.allow("app", 3) for _ in range(4)] == [True, True, True, False]


def test_two_clients_hammering_five_per_second_get_exactly_five(new_client, key_prefix):
    limiters = [RedisRateLimiter(new_client(), prefix=key_prefix) for _ in range(2)]
    for limiter in limiters:  # connect and load the script before the clock starts
        limiter.allow("warm-up", 1)
    start = threading.Barrier(len(limiters))
    results: list[bool] = []
    lock = threading.Lock()

    def hammer(limiter: RedisRateLimiter) -> None:
        start.wait()
        mine = [limiter.allow("shared", 5) for _ in range(15)]
        with lock:
            results.extend(mine)

    began = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(lim,)) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    assert elapsed < 1.0, f"burst took {elapsed:.2f}s, longer than the window"
    assert len(results) == 30
    assert results.count(True) == 5


def test_keys_expire_on_their_own(new_client, key_prefix):
    client = new_client()
    RedisRateLimiter(client, prefix=key_prefix).allow("app", 5)
    RedisReplayGuard(client, prefix=key_prefix + "r:").first_use("sign", 300)
    assert 0 < client.pttl(key_prefix + "app") <= 2000
    assert 299_000 < client.pttl(key_prefix + "r:sign") <= 300_000


def test_rate_keys_of_different_prefixes_do_not_mix(new_client, key_prefix):
    a = RedisRateLimiter(new_client(), prefix=key_prefix + "a:")
    b = RedisRateLimiter(new_client(), prefix=key_prefix + "b:")
    assert a.allow("app", 1) and b.allow("app", 1)
    assert not a.allow("app", 1)


def test_replay_guard_shared_by_two_clients(new_client, key_prefix):
    first = RedisReplayGuard(new_client(), prefix=key_prefix)
    second = RedisReplayGuard(new_client(), prefix=key_prefix)
    assert first.first_use("sign-1", 0.3)
    assert not second.first_use("sign-1", 0.3)
    assert second.first_use("sign-2", 0.3)
    time.sleep(0.4)
    assert second.first_use("sign-1", 0.3)


def test_replay_guard_has_one_winner_among_racing_clients(new_client, key_prefix):
    guards = [RedisReplayGuard(new_client(), prefix=key_prefix) for _ in range(4)]
    start = threading.Barrier(len(guards))
    wins: list[bool] = []

    def race(guard: RedisReplayGuard) -> None:
        start.wait()
        wins.append(guard.first_use("same-sign", 60))

    threads = [threading.Thread(target=race, args=(g,)) for g in guards]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False, False, False, True]


def test_unreachable_redis_raises_a_limits_error():
    # Port 1 on loopback refuses connections at once; no Redis server is needed for this test.
    limiter = make_rate_limiter("redis://127.0.0.1:1/0")
    with pytest.raises(LimitsBackendError):
        limiter.allow("app", 5)
