"""Take ``docs/demo-page.png``: the demo page in headless Chromium after recognising a sample photo.

    .venv/bin/python tools/screenshot_demo.py                 # real models, front_0001.jpg
    .venv/bin/python tools/screenshot_demo.py --stub          # a fixed answer, no models needed

Starts the real app (throw-away SQLite database and demo account in a temporary folder) on a free
loopback port, drives Chromium through chromedriver (``tools/ensure-chromium.sh`` installs both)
and writes the PNG. Only the synthetic test cards are ever photographed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the browser and server helpers live with the tests

from idcard_ocr.api import create_app  # noqa: E402
from idcard_ocr.pipeline.types import Recognizer  # noqa: E402
from idcard_ocr.settings import Settings  # noqa: E402
from idcard_ocr.storage.sql import open_store  # noqa: E402
from idcard_ocr.web import DemoAccount, mount_demo, write_demo_account  # noqa: E402
from tests.web.chromium import chromium_session  # noqa: E402
from tests.web.live_server import StubRecognizer, serve_in_thread  # noqa: E402

DONE = "return ['done', 'failed', 'error'].includes(document.getElementById('status').dataset.state)"


def _recognizer(stub: bool) -> Recognizer:
    if stub:
        return StubRecognizer()
    from idcard_ocr.pipeline import load_recognizer

    return load_recognizer()


@click.command()
@click.option(
    "--photo",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=ROOT / "tests" / "data" / "cards" / "front_0001.jpg",
    show_default=True,
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=ROOT / "docs" / "demo-page.png"
)
@click.option("--stub", is_flag=True, help="Answer with a fixed front side instead of running the models.")
@click.option("--width", default=1280, show_default=True)
@click.option("--height", default=1120, show_default=True)
def screenshot(photo: Path, out: Path, stub: bool, width: int, height: int) -> None:
    """Serve the demo page, recognise PHOTO in it and save a screenshot to OUT."""
    with tempfile.TemporaryDirectory(prefix="idcard-demo-shot-") as scratch:
        settings = Settings(data_dir=Path(scratch))
        store = open_store(settings)
        try:
            created, secret = store.create_account(name="demo", balance=10)
            write_demo_account(settings.data_dir, DemoAccount(created.app_id, secret))
            app = create_app(settings, store, _recognizer(stub))
            mount_demo(app, settings, enabled=True)
            with serve_in_thread(app) as url, chromium_session(width, height) as browser:
                browser.open(url + "/")
                browser.wait_for("return document.getElementById('status').dataset.state === 'ready'")
                browser.choose_file("#photo", photo)
                browser.wait_for(DONE, timeout_s=60)
                browser.wait_for("return document.getElementById('preview').complete")
                state = browser.run("return document.getElementById('status').innerText")
                png = browser.screenshot()
        finally:
            store.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
    click.echo(f"{out} ({len(png)} bytes): {state}")


if __name__ == "__main__":
    screenshot()
