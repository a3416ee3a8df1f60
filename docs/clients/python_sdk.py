"""Recognise one ID-card photo with the bundled SDK: python python_sdk.py card.jpg

Needs OCR_URL (e.g. http://127.0.0.1:8000), OCR_APP_ID and OCR_APP_SECRET in the environment.
The SDK signs each attempt itself and raises one exception class per code.
"""

import dataclasses
import os
import sys

from idcard_ocr.client import ApiError, Client

with Client(os.environ["OCR_APP_ID"], os.environ["OCR_APP_SECRET"], os.environ["OCR_URL"]) as ocr:
    try:
        card = ocr.recognize(file=sys.argv[1])  # or base64="...", url="https://..."
    except ApiError as error:  # any code but 200, e.g. BadRequest (400), InsufficientBalance (603)
        print("code:", error.code)
        print("msg:", error.msg)
        sys.exit(1)

print("code:", 200)
print("msg:", card.raw["msg"])
print("side:", card.side)
fields = card.front or card.back  # typed: card.front.birth_date, card.back.valid_until, ...
if fields is not None:
    for key, value in dataclasses.asdict(fields).items():
        print(f"info.{key}: {value}")
for key, valid in card.validity.items():
    print(f"validity.{key}: {'true' if valid else 'false'}")
