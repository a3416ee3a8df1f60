#!/usr/bin/env bash
# Make sure every font the synthetic-card generator draws with is installed: the benchmarks, the
# samples and the tests that draw cards or text lines need them.
#
# What is missing is asked of the generator's own font finder (idcard_ocr.synth.fonts), so this
# script and the code agree on where fonts are found. As root with apt-get, the missing Debian
# packages are installed and the finder is asked again. Otherwise the script names the packages
# and exits 1. Exit 0 means every font is found.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Python that has the project installed (make test and make fonts use .venv/).
FINDER_PYTHON="${FONT_FINDER_PYTHON:-.venv/bin/python}"

missing_packages() {
  "$FINDER_PYTHON" -c 'from idcard_ocr.synth.fonts import missing_packages; print(" ".join(missing_packages()))'
}

# Assigned first so that a failing finder stops the script (set -e) instead of reading as "none".
found=$(missing_packages)
read -r -a missing <<<"$found"
if [ "${#missing[@]}" -eq 0 ]; then
  echo "fonts for the card generator are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing fonts for the card generator: ${missing[*]}" >&2
  echo "install as root (Debian/Ubuntu): apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "installing fonts for the card generator: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another apt run may hold the lock for a while; wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"

found=$(missing_packages)
read -r -a still <<<"$found"
if [ "${#still[@]}" -ne 0 ]; then
  # Installed yet not found: the packages' files were removed, or fonts live where the finder
  # does not look. Reinstalling the packages puts the files back.
  echo "fonts still missing after installing: ${still[*]}" >&2
  echo "try: apt-get install --reinstall ${still[*]}" >&2
  exit 1
fi
echo "installed: ${missing[*]}"
