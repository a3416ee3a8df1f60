#!/usr/bin/env bash
# Recognise one ID-card photo with curl: ./curl.sh card.jpg
# Needs OCR_URL (e.g. http://127.0.0.1:8000), OCR_APP_ID and OCR_APP_SECRET in the environment.
set -euo pipefail
photo="$1"

ts=$(($(date +%s) * 1000))                                   # milliseconds since the epoch
sign=$(printf '%s' "$OCR_APP_ID$OCR_APP_SECRET$ts" | sha256sum | cut -d' ' -f1)

# The photo as an uploaded file. To send it as base64 instead, write it to a file first
# (base64 -w0 "$photo" > photo.b64) and replace -F "file=@$photo" by -F "base64=<photo.b64".
curl -sS --fail-with-body \
     -F "appId=$OCR_APP_ID" -F "timestamp=$ts" -F "sign=$sign" \
     -F "file=@$photo" \
     "$OCR_URL/ocr/idcard-v1"
echo
