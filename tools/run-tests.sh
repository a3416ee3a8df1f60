#!/usr/bin/env bash
# The whole test suite: unit tests, the HTTP service on SQLite and PostgreSQL, Redis-backed limits,
# and recognition with the real bundled models on the committed synthetic cards.
#
# What the tests open beyond the virtualenv is brought here: the card generator's fonts (tests
# draw cards and text lines with them) and headless Chromium (the demo page's browser test) are
# installed when missing and this runs as root. In CI (CI=true) missing fonts stop the run here.
#
# PostgreSQL and Redis are expected at 127.0.0.1 (or IDCARD_TEST_POSTGRES_URL / IDCARD_TEST_REDIS_URL).
# When they do not answer and this machine has them installed, they are started. In CI (CI=true)
# tests that need them fail loudly instead of skipping; elsewhere they are skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

export IDCARD_TEST_POSTGRES_URL="${IDCARD_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export IDCARD_TEST_REDIS_URL="${IDCARD_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
if [ "${CI:-}" = "true" ]; then export IDCARD_TEST_REQUIRE_SERVICES=1; fi

answers() {  # host port
  .venv/bin/python - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

if ! answers 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! answers 127.0.0.1 6379 && command -v redis-server >/dev/null 2>&1; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it (no persistence)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi
for i in 1 2 3 4 5 6 7 8 9 10; do
  answers 127.0.0.1 5432 && answers 127.0.0.1 6379 && break
  sleep 1
done

# The demo page's browser tests drive Debian's headless Chromium.
tools/ensure-chromium.sh || echo "Chromium is missing: the browser tests will say so"
# The client programs in docs/clients/ run under Node.js, a JDK and curl.
tools/ensure-client-runtimes.sh || echo "A client runtime is missing: the client program tests will say so"

# Tests that draw cards or text lines use the card generator's fonts.
if ! tools/ensure-fonts.sh; then
  if [ "${CI:-}" = "true" ]; then
    echo "The card generator's fonts are missing and could not be installed (see above)." >&2
    exit 1
  fi
  echo "Fonts are missing: the tests that draw cards will be skipped with the packages to install"
fi

exec .venv/bin/python -m pytest "$@"
