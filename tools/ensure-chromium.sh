#!/usr/bin/env bash
# Make sure headless Chromium and chromedriver (Debian's `chromium` and `chromium-driver`
# packages) are present for the demo page's browser test and screenshot script.
#
# As root, missing packages are installed with apt-get. Otherwise the script only reports what
# is missing and how to install it, and exits 1. Exit 0 means both programs are on PATH.
set -euo pipefail
. "$(dirname "$0")/apt-missing.sh"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "chromium and chromedriver are installed: $(chromium --version 2>/dev/null || true)"
    exit 0
fi

install_missing "${missing[@]}"
echo "installed: ${missing[*]} ($(chromium --version 2>/dev/null || echo 'version unknown'))"
