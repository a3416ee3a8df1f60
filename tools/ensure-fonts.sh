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
  # Drawn only by the named card families (idcard_ocr/synth/families.py); licences in the README.
  [fonts-noto-cjk-extra]=/usr/share/fonts/opentype/noto/NotoSerifCJK-SemiBold.ttc
  [fonts-arphic-gbsn00lp]=/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf
  [fonts-arphic-gkai00mp]=/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf
  [fonts-droid-fallback]=/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
  [fonts-hanazono]=/usr/share/fonts/truetype/hanazono/HanaMinA.ttf
  [fonts-lxgw-wenkai]=/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf
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
