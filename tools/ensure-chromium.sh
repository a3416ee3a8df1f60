#!/usr/bin/env bash
# Make sure headless Chromium and chromedriver (Debian's `chromium` and `chromium-driver`
# packages) are present for the demo page's browser test and screenshot script.
#
# As root, missing packages are installed with apt-get. Otherwise the script only reports what
# is missing and how to install it, and exits 1. Exit 0 means both programs are on PATH.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "chromium and chromedriver are installed: $(chromium --version 2>/dev/null || true)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: ${missing[*]}" >&2
    echo "install as root (Debian/Ubuntu): apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt run may hold the lock for a while; wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]} ($(chromium --version 2>/dev/null || echo 'version unknown'))"
