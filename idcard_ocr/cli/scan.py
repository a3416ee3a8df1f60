"""``idcard-ocr scan [--json] FILE...``: recognise photos on disk, without the HTTP service.

Each file gets the outcome the API would give it, from the same rules (``idcard_ocr.contract``):
200 with the contract's ``data``, 301 when no text is found (or the engine fails on a valid
image), 400 when the file cannot be read or breaks the photo rules (format by content, size,
dimensions). ``--json`` prints one JSON object a line:
``{"file": "<path as given>", "code": 200, "data": {...}}`` or ``{"file": ..., "code": 400,
"msg": "..."}``; without it, a readable table. The output is the recognition result the operator
asked for, so it is printed in full, like the API's answer.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from idcard_ocr.cli import main
from idcard_ocr.contract.card import answer_of
from idcard_ocr.contract.codes import MESSAGES, MSG_IMAGE_FORMAT, ApiError

MSG_UNREADABLE_FILE = "参数错误: 无法读取文件"
PROGRESS_MIN_FILES = 5  # a progress bar for fewer files would only flicker


def scan_one(path: str, recognizer: Any, max_bytes: int) -> dict[str, Any]:
    """The API-shaped outcome for one file: ``{"file", "code", "data" | "msg"}``."""
    from idcard_ocr.contract.photo_rules import check_image  # imports Pillow: only when scanning
    from idcard_ocr.pipeline import ImageDecodeError

    try:
        photo = Path(path).read_bytes()
    except OSError:
        return {"file": path, "code": 400, "msg": MSG_UNREADABLE_FILE}
    try:
        checked = check_image(photo, max_bytes)
        recognition = recognizer.recognize(checked.data)
    except ApiError as exc:
        return {"file": path, "code": exc.code, "msg": exc.msg}
    except ImageDecodeError as exc:
        return {"file": path, "code": 400, "msg": f"{MSG_IMAGE_FORMAT}: {exc}"}
    except Exception:  # the engine failed on a valid image: the contract's 301
        return {"file": path, "code": 301, "msg": MESSAGES[301]}
    code, data = answer_of(recognition)
    if data is None:
        return {"file": path, "code": code, "msg": MESSAGES[code]}
    return {"file": path, "code": code, "data": data}


def _table_lines(outcome: dict[str, Any]) -> list[str]:
    head = f"{outcome['file']}  code {outcome['code']}"
    if outcome["code"] != 200:
        return [f"{head}  {outcome['msg']}"]
    data = outcome["data"]
    rotate = f"  rotate {data['rotate']}" if "rotate" in data else ""
    lines = [f"{head}  result {data['result']}  side {data['side']}{rotate}"]
    for key, value in data["info"].items():
        validity_key = "birthday" if key in ("year", "month", "day") else key
        mark = "ok" if data["validity"].get(validity_key) else "  "  # nation has no validity
        lines.append(f"    {mark} {key:<10}{value}")
    return lines


def _progress(files: list[str]) -> Iterable[str]:
    if len(files) >= PROGRESS_MIN_FILES and sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(files, unit="photo", file=sys.stderr)
    return files


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file and line.")
@click.option("--threads", type=click.IntRange(min=0), default=None,
              help="onnxruntime threads (default: IDCARD_OCR_THREADS; 0 = onnxruntime's choice).")
def scan(files: tuple[str, ...], as_json: bool, threads: int | None) -> None:
    """Recognise ID-card photos on disk and print what the API would answer for each."""
    from idcard_ocr.pipeline import load_recognizer
    from idcard_ocr.settings import get_settings

    settings = get_settings()
    recognizer = load_recognizer(settings.ocr_threads if threads is None else threads)
    for path in _progress(list(files)):
        outcome = scan_one(path, recognizer, settings.max_image_bytes)
        if as_json:
            click.echo(json.dumps(outcome, ensure_ascii=False))
        else:
            click.echo("\n".join(_table_lines(outcome)))
