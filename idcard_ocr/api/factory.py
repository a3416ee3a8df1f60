"""The app uvicorn serves: ``uvicorn --factory idcard_ocr.api.factory:make_app``.

Each worker process opens the store named by the ``IDCARD_*`` settings, loads and warms the
recogniser once (models sha256-checked), and shares both across every request it answers.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from idcard_ocr.api.app import create_app
from idcard_ocr.settings import get_settings
from idcard_ocr.web import mount_demo

log = logging.getLogger("idcard_ocr.api")


def make_app() -> FastAPI:
    """Build the production app from the process settings (called once per worker)."""
    from idcard_ocr.pipeline import load_recognizer  # heavy: imports onnxruntime and the models
    from idcard_ocr.storage.sql import open_store

    settings = get_settings()
    store = open_store(settings)
    try:
        recognizer = load_recognizer(threads=settings.ocr_threads)
    except Exception:
        store.close()
        raise
    log.info(
        "serving with store=%s recognizer_pool=%d ocr_threads=%d",
        "sqlite" if settings.is_sqlite else "postgresql",
        settings.recognizer_pool,
        settings.ocr_threads,
    )
    app = create_app(settings, store, recognizer, on_shutdown=store.close)
    mount_demo(app, settings)  # only when the operator asked for the demo page
    return app
