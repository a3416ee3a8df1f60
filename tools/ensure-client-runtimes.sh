#!/usr/bin/env bash
# Make sure the runtimes of the client programs in docs/clients/ are present for their tests:
# Node.js (`node`, 18 or later; the programs are written for 20), a JDK 17 or later (`java` and
# `javac`: `java File.java` compiles the source, which a bare JRE cannot) and curl.
#
# As root, missing packages are installed with apt-get (Debian's `nodejs`,
# `openjdk-17-jdk-headless`, `curl`). Otherwise the script only reports what is missing and how
# to install it, and exits 1. Exit 0 means every program is on PATH.
set -euo pipefail
. "$(dirname "$0")/apt-missing.sh"

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
{ command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; } || missing+=(openjdk-17-jdk-headless)
command -v curl >/dev/null 2>&1 || missing+=(curl)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "client runtimes are installed: node $(node --version), $(javac -version 2>&1), $(curl --version | head -n1 | cut -d' ' -f1-2)"
    exit 0
fi

install_missing "${missing[@]}"
echo "installed: ${missing[*]}"
