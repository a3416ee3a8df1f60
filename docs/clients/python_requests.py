"""Recognise one ID-card photo with requests: python python_requests.py card.jpg

Needs OCR_URL (e.g. http://127.0.0.1:8000), OCR_APP_ID and OCR_APP_SECRET in the environment.
"""

import hashlib
import os
import sys
import time

import requests

url = os.environ["OCR_URL"] + "/ocr/idcard-v1"
app_id = os.environ["OCR_APP_ID"]
app_secret = os.environ["OCR_APP_SECRET"]

timestamp = str(int(time.time() * 1000))  # milliseconds since the epoch
sign = hashlib.sha256((app_id + app_secret + timestamp).encode("utf-8")).hexdigest()
fields = {"appId": app_id, "timestamp": timestamp, "sign": sign}

with open(sys.argv[1], "rb") as photo:
    # The photo as an uploaded file. To send base64 instead (a urlencoded form; import base64):
    #   requests.post(url, data={**fields, "base64": base64.b64encode(photo.read())}, timeout=30)
    response = requests.post(url, data=fields, files={"file": photo}, timeout=30)
answer = response.json()  # HTTP 200 for every outcome: read "code"

print("code:", answer["code"])
print("msg:", answer["msg"])
if answer["code"] != 200:
    sys.exit(1)
data = answer["data"]
print("side:", data["side"])
for key, value in data["info"].items():
    print(f"info.{key}: {value}")
for key, valid in data["validity"].items():
    print(f"validity.{key}: {'true' if valid else 'false'}")
