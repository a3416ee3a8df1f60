"""The recognition line's estimate: when a newcomer would finish past the deadline, it is refused."""

from __future__ import annotations

from idcard_ocr.api.recognition_line import RecognitionLine


def test_nothing_is_refused_before_a_recognition_was_measured() -> None:
    line = RecognitionLine(pool=1, deadline_s=1.0)
    assert all(line.try_join() for _ in range(50))
    assert line.in_line == 50


def test_a_newcomer_is_refused_once_it_would_finish_past_the_deadline() -> None:
    line = RecognitionLine(pool=2, deadline_s=2.5)
    for seconds in (0.9, 1.0, 1.1):
        line.observe(seconds)
    assert line.typical_s() == 1.0
    # Two recognisers: calls 1-2 start at once, 3-4 finish at 2 s, the fifth would at 3 s.
    assert [line.try_join() for _ in range(5)] == [True, True, True, True, False]
    line.leave()
    assert line.try_join() is True and line.in_line == 4


def test_a_free_recogniser_is_never_refused_even_after_slow_recognitions() -> None:
    line = RecognitionLine(pool=1, deadline_s=1.0)
    line.observe(5.0)  # one recognition took longer than the deadline
    assert line.try_join() is True  # alone in line: turning it away would help nobody
    assert line.try_join() is False
    line.leave()
    line.leave()
    assert line.in_line == 0 and line.try_join() is True


def test_the_estimate_follows_recent_recognitions_only() -> None:
    line = RecognitionLine(pool=1, deadline_s=1.0, recent=4)
    for _ in range(4):
        line.observe(3.0)
    for _ in range(4):
        line.observe(0.2)
    assert line.typical_s() == 0.2
    assert [line.try_join() for _ in range(6)] == [True] * 5 + [False]
