"""Global switches cached per process and shared through Redis: obeyed within the refresh period."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from idcard_ocr.limits.switch_cache import LocalSwitchCache, RedisSwitchCache, make_switch_cache
from idcard_ocr.storage.base import SwitchName
from idcard_ocr.switches import Switches
from tests.limits.conftest import FakeClock


class SwitchBoard:
    """The store's switches alone, counting reads (the only Store method the cache uses)."""

    def __init__(self) -> None:
        self.switches = Switches()
        self.reads = 0

    def get_switches(self) -> Switches:
        self.reads += 1
        return self.switches

    def set_switch(self, name: SwitchName, on: bool) -> Switches:
        if name == "maintenance":
            self.switches = Switches(maintenance=on, product_enabled=self.switches.product_enabled)
        else:
            self.switches = Switches(maintenance=self.switches.maintenance, product_enabled=on)
        return self.switches


def test_local_cache_reads_the_store_once_per_period(clock: FakeClock) -> None:
    board = SwitchBoard()
    cache = LocalSwitchCache(board.get_switches, refresh_s=1.0, clock=clock)

    assert cache.current() == Switches()
    board.set_switch("maintenance", True)
    clock.advance(0.9)
    assert cache.current().maintenance is False  # still within the period
    assert board.reads == 1
    clock.advance(0.1)
    assert cache.is_stale()
    assert cache.current().maintenance is True
    assert board.reads == 2


def test_workers_share_one_store_read_through_redis(
    clock: FakeClock, new_client: Callable[[], redis.Redis], key_prefix: str
) -> None:
    board = SwitchBoard()
    board.set_switch("product", False)
    workers = [
        RedisSwitchCache(board.get_switches, new_client(), 10.0, key=key_prefix + "switches", clock=clock)
        for _ in range(4)
    ]

    assert [w.current().product_enabled for w in workers] == [False] * 4
    assert board.reads == 1  # the first worker read the store; the others read its copy


def test_a_flipped_switch_is_obeyed_everywhere_within_the_refresh_period(
    new_client: Callable[[], redis.Redis], key_prefix: str
) -> None:
    board = SwitchBoard()
    refresh_s = 0.4
    workers = [
        RedisSwitchCache(board.get_switches, new_client(), refresh_s, key=key_prefix + "switches")
        for _ in range(3)
    ]
    assert not any(w.current().maintenance for w in workers)

    board.set_switch("maintenance", True)
    flipped = time.monotonic()
    while not all(w.current().maintenance for w in workers):
        assert time.monotonic() - flipped <= refresh_s + 0.2, "a worker still ignores the switch"
        time.sleep(0.01)


def test_invalidate_makes_the_next_read_see_the_store(
    clock: FakeClock, new_client: Callable[[], redis.Redis], key_prefix: str
) -> None:
    board = SwitchBoard()
    cache = RedisSwitchCache(board.get_switches, new_client(), 10.0, key=key_prefix + "switches", clock=clock)
    assert cache.current().maintenance is False

    board.set_switch("maintenance", True)
    cache.invalidate()

    assert cache.current().maintenance is True


def test_a_garbled_shared_copy_is_ignored(
    clock: FakeClock, new_client: Callable[[], redis.Redis], key_prefix: str
) -> None:
    board = SwitchBoard()
    board.set_switch("maintenance", True)
    new_client().set(key_prefix + "switches", b'{"maintenance": 1}')
    cache = RedisSwitchCache(board.get_switches, new_client(), 10.0, key=key_prefix + "switches", clock=clock)

    assert cache.current().maintenance is True
    assert board.reads == 1


def test_unreachable_redis_falls_back_to_the_store(clock: FakeClock) -> None:
    board = SwitchBoard()
    board.set_switch("product", False)
    cache = make_switch_cache(board.get_switches, "redis://127.0.0.1:1/0", 1.0)

    assert isinstance(cache, RedisSwitchCache)
    assert cache.current().product_enabled is False
    assert board.reads == 1


def test_without_redis_the_cache_is_per_process() -> None:
    cache = make_switch_cache(SwitchBoard().get_switches, None, 1.0)
    assert type(cache) is LocalSwitchCache
    assert cache.current() == Switches()
