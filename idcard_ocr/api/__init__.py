"""The HTTP service that speaks the vendor contract (``POST /ocr/idcard-v1``)."""

from idcard_ocr.api.app import ENDPOINT_PATH, create_app

__all__ = ["ENDPOINT_PATH", "create_app"]
