#!/usr/bin/env bash
# Makes sure the fonts the synthetic-card generator draws with are installed.
# As root with apt-get it installs the missing Debian packages; otherwise it says what is missing.
set -u
declare -A want=(
  [fonts-wqy-zenhei]=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
  [fonts-wqy-microhei]=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
  [fonts-noto-cjk]=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
  [fonts-arphic-ukai]=/usr/share/fonts/truetype/arphic/ukai.ttc
  [fonts-arphic-uming]=/usr/share/fonts/truetype/arphic/uming.ttc
  [fonts-ocr-b]=/usr/share/fonts/opentype/ocr-b/OCRB.otf
)
missing=()
for pkg in "${!want[@]}"; do [ -f "${want[$pkg]}" ] || missing+=("$pkg"); done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing fonts for the card generator: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" && exit 0
fi
echo "Missing fonts for the card generator. Install the Debian packages: ${missing[*]}" >&2
exit 1
