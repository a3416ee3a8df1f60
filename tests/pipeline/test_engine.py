"""The onnxruntime engine: shipped model checks, CTC decoding, reading and detecting text."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from idcard_ocr.pipeline.engine import TextDetector, TextRecognizer, shared_model
from idcard_ocr.pipeline.models import (
    SHIPPED_MODELS,
    TEXT_RECOGNIZER,
    ModelFile,
    ModelFileError,
    file_sha256,
    model_path,
    models_dir,
)
from tests.fonts import CJK_SANS, NUMBER_FONT, needs_fonts, text_font


def render_line(text: str, font_key: str = CJK_SANS, size: int = 32) -> np.ndarray:
    """Black text on a light card-like background, with a little margin (BGR)."""
    font = text_font(font_key, size)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("RGB", (right - left + 24, bottom - top + 20), (236, 238, 241))
    ImageDraw.Draw(image).text((12 - left, 10 - top), text, font=font, fill=(20, 20, 20))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


@pytest.fixture(scope="module")
def recognizer() -> TextRecognizer:
    return TextRecognizer(threads=1)


def test_shipped_models_match_their_recorded_checksums() -> None:
    for model in SHIPPED_MODELS:
        assert file_sha256(models_dir() / model.filename) == model.sha256, model.filename


def test_a_changed_model_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "rec.onnx").write_bytes(b"not the model")
    with pytest.raises(ModelFileError, match="sha256"):
        model_path(ModelFile("rec", "rec.onnx", "0" * 64), tmp_path)
    with pytest.raises(ModelFileError, match="missing"):
        model_path(ModelFile("rec", "absent.onnx", "0" * 64), tmp_path)


def test_sessions_are_created_once_and_shared() -> None:
    assert shared_model(TEXT_RECOGNIZER, 1) is shared_model(TEXT_RECOGNIZER, 1)


def test_character_list_has_blank_first_and_space_last(recognizer: TextRecognizer) -> None:
    # 18,708 characters in the model's metadata, plus the CTC blank and the trailing space.
    assert len(recognizer.characters) == 18_710
    assert recognizer.characters[0] == ""
    assert recognizer.characters[-1] == " "
    for rare in "㛃旻赟燊龑":
        assert rare in recognizer.index_of


def test_ctc_decoding_collapses_repeats_and_keeps_runners_up(recognizer: TextRecognizer) -> None:
    idx = recognizer.index_of
    frames = np.full((7, len(recognizer.characters)), 1e-6, np.float32)
    # "1" "1" blank "1" "2" "2" blank -> "112": a blank separates a genuine double letter.
    steps = [("1", 0.9), ("1", 0.8), ("", 0.9), ("1", 0.7), ("2", 0.6), ("2", 0.95), ("", 0.9)]
    for t, (char, p) in enumerate(steps):
        frames[t, idx[char] if char else 0] = p
    frames[4, idx["7"]] = 0.3  # runner-up at the "2"
    reading = recognizer.decode(frames)
    assert reading.text == "112"
    assert reading.candidates[2][0] == ("2", pytest.approx(0.95))
    assert reading.char_confidences == pytest.approx((0.9, 0.7, 0.95))
    assert reading.positions == pytest.approx(((0 + 0.5) / 7, (3 + 0.5) / 7, (5 + 0.5) / 7))
    # At frame 5 (the peak of the "2" run) the runner-up is not "7": candidates come from the peak.
    assert reading.candidates[2][1][0] != "7"


def _frames(recognizer: TextRecognizer, steps: list[tuple[str, float, str, float]]) -> np.ndarray:
    """Frame probabilities from (best, p, runner-up, p) per frame ('' is the blank)."""
    idx = recognizer.index_of
    frames = np.full((len(steps), len(recognizer.characters)), 1e-6, np.float32)
    for t, (char, p, other, q) in enumerate(steps):
        frames[t, idx[char] if char else 0] = p
        frames[t, idx[other] if other else 0] = q
    return frames / frames.sum(axis=1, keepdims=True)


def test_length_constrained_decoding_recovers_a_merged_double_digit(recognizer: TextRecognizer) -> None:
    # "1 0 0 2" where the two 0 runs touch (the blank between them was only the runner-up):
    # greedy decoding loses a 0; asked for four characters the decoder finds the blank.
    steps = [("1", 0.9, "", 0.1), ("", 0.9, "1", 0.1), ("0", 0.9, "", 0.1), ("0", 0.6, "", 0.4),
             ("0", 0.9, "", 0.1), ("", 0.9, "0", 0.1), ("2", 0.9, "", 0.1)]
    frames = _frames(recognizer, steps)
    digits = "0123456789X"
    assert recognizer.decode(frames, digits).text == "102"
    fixed = recognizer.decode_length(frames, 4, digits)
    assert fixed.text == "1002"
    assert len(fixed.candidates) == 4 and fixed.candidates[1][0][0] == "0"
    # The greedy length is its own best path; impossible lengths give nothing.
    assert recognizer.decode_length(frames, 3, digits).text == "102"
    assert recognizer.decode_length(frames, 8, digits).text == ""


def test_length_constrained_decoding_drops_the_least_likely_extra(recognizer: TextRecognizer) -> None:
    # A smear read as a weak extra "7" between 3 and 5: three characters asked, the 7 goes.
    steps = [("3", 0.95, "", 0.05), ("", 0.9, "3", 0.1), ("7", 0.55, "", 0.45), ("", 0.9, "7", 0.1),
             ("5", 0.95, "", 0.05)]
    frames = _frames(recognizer, steps)
    assert recognizer.decode(frames, "0123456789").text == "375"
    assert recognizer.decode_length(frames, 2, "0123456789").text == "35"


@needs_fonts
def test_reads_an_id_number_exactly(recognizer: TextRecognizer) -> None:
    reading = recognizer.read(render_line("11010519491231002X", NUMBER_FONT), charset="0123456789X")
    assert reading.text == "11010519491231002X"
    assert reading.confidence > 0.9
    assert [c[0][0] for c in reading.candidates] == list(reading.text)
    assert list(reading.positions) == sorted(reading.positions)


@needs_fonts
def test_reads_chinese_text(recognizer: TextRecognizer) -> None:
    address = "浙江省杭州市西湖区文二路108号"
    assert recognizer.read(render_line(address)).text == address


@needs_fonts
def test_charset_restricts_the_output(recognizer: TextRecognizer) -> None:
    reading = recognizer.read(render_line("出生1989年12月1日"), charset="0123456789年月日")
    assert set(reading.text) <= set("0123456789年月日")
    assert "1989年12月1日" in reading.text


@needs_fonts
def test_reading_is_thread_safe(recognizer: TextRecognizer) -> None:
    lines = [render_line(t) for t in ("赵宁宁", "杭州市公安局余杭分局", "2019.08.06-2039.08.06")]
    expected = [recognizer.read(line).text for line in lines]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: recognizer.read(lines[i % 3]).text, range(12)))
    assert results == [expected[i % 3] for i in range(12)]


@needs_fonts
def test_detector_finds_lines_and_nothing_on_a_blank_page() -> None:
    detector = TextDetector(threads=1)
    page = np.full((400, 640, 3), 235, np.uint8)
    assert detector.detect(page) == []
    for y, text in ((60, "中华人民共和国"), (200, "居民身份证")):
        line = render_line(text, size=40)
        page[y : y + line.shape[0], 80 : 80 + line.shape[1]] = line
    quads = detector.detect(page)
    assert len(quads) == 2
    assert quads[0][0][1] < quads[1][0][1]  # top to bottom
    assert 40 <= quads[0][0][1] <= 80 and 60 <= quads[0][0][0] <= 100


def test_detector_counts_large_detections_only() -> None:
    detector = TextDetector(threads=1)
    page = np.full((400, 640, 3), 235, np.uint8)
    detector.detect(page, 320)
    assert detector.large_runs == 0
    detector.detect(page, 640)  # 640 x 416 input: a large detection, its memory handed back after
    assert detector.large_runs == 1


def test_releasing_freed_memory_is_safe_to_call() -> None:
    from idcard_ocr.pipeline.recognizer import release_freed_memory

    release_freed_memory()


def test_resident_size_is_read_where_proc_tells_it() -> None:
    import sys

    from idcard_ocr.pipeline.memory import resident_bytes

    size = resident_bytes()
    assert size > 10 << 20 if sys.platform == "linux" else size >= 0
