"""taskNo: 20 digits, time + node + sequence, never repeated even when the clock steps back."""

from __future__ import annotations

import threading

import pytest

from idcard_ocr.api.task_numbers import TaskNumbers


def test_layout_is_ms_node_sequence() -> None:
    numbers = TaskNumbers(7, clock_ms=lambda: 1_555_378_976_238)
    assert numbers.next() == "1555378976238" + "007" + "0000"
    assert numbers.next() == "1555378976238" + "007" + "0001"


def test_clock_going_backwards_never_repeats_or_decreases() -> None:
    times = iter([1000, 1000, 999, 500, 1000, 1001, 1001])
    numbers = TaskNumbers(1, clock_ms=lambda: next(times))
    issued = [numbers.next() for _ in range(7)]
    assert issued == sorted(issued) and len(set(issued)) == 7
    assert [n[:13] for n in issued] == ["0000000001000"] * 5 + ["0000000001001"] * 2


def test_more_than_ten_thousand_in_one_millisecond_borrow_the_next() -> None:
    numbers = TaskNumbers(0, clock_ms=lambda: 2_000_000_000_000)
    issued = [numbers.next() for _ in range(10_001)]
    assert issued[-2].endswith("0009999") and issued[-1] == "2000000000001" + "000" + "0000"
    assert len(set(issued)) == 10_001


def test_threads_never_share_a_number() -> None:
    numbers = TaskNumbers(999)
    issued: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        mine = [numbers.next() for _ in range(2000)]
        with lock:
            issued.extend(mine)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(issued)) == 8000
    assert all(len(n) == 20 and n.isdigit() and n[13:16] == "999" for n in issued)


def test_node_id_must_fit_three_digits() -> None:
    with pytest.raises(ValueError):
        TaskNumbers(1000)
