#!/usr/bin/env bash
# Builds the site, starts a server on a fresh data directory with the demo publisher, runs
# the Playwright specs in Debian's Chromium, and stops the server (also on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

PORT=${PRESSRUN_E2E_PORT:-3100}
DATA=$(mktemp -d /tmp/pressrun-e2e.XXXXXX)
LOG="$DATA/server.log"

cargo leptos build
( cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent )

# A real SMTP server; specs read what it received from $PRESSRUN_E2E_MAIL_DIR.
export PRESSRUN_E2E_MAIL_DIR="$DATA/received-mail"
python3 scripts/smtp_sink.py "$PRESSRUN_E2E_MAIL_DIR" >"$DATA/sink.out" 2>"$DATA/sink.log" &
SINK=$!
for _ in $(seq 1 100); do grep -q READY "$DATA/sink.out" 2>/dev/null && break; sleep 0.1; done
SMTP_PORT=$(awk '/READY/ {print $2}' "$DATA/sink.out")
[ -n "$SMTP_PORT" ] || { cat "$DATA/sink.log"; echo "e2e: the SMTP server did not start" >&2; exit 1; }

# The server and the specs' `pressrun tick` runs share this configuration. The in-server
# scheduler is off so that only the specs decide when a tick happens.
export PRESSRUN_DATA_DIR="$DATA" PRESSRUN_SITE_ROOT=target/site PRESSRUN_TICK_SECONDS=0 \
  PRESSRUN_SMTP_HOST=127.0.0.1 PRESSRUN_SMTP_PORT="$SMTP_PORT" PRESSRUN_SMTP_TLS=none \
  PRESSRUN_MAIL_FROM="Valley Courier Media <billing@valley.example>" PRESSRUN_BIN="$PWD/target/debug/pressrun" \
  PRESSRUN_PUBLIC_URL="http://127.0.0.1:$PORT" PRESSRUN_TEST_PAYMENTS=1
PRESSRUN_DEMO=1 PRESSRUN_ADDR="127.0.0.1:$PORT" target/debug/pressrun serve >"$LOG" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" "$SINK" 2>/dev/null || true
  wait "$SERVER" "$SINK" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG"; echo "e2e: the server exited" >&2; exit 1; }
  sleep 0.5
done

mkdir -p end2end/screenshots
if ! ( cd end2end && PRESSRUN_E2E_URL="http://127.0.0.1:$PORT" npx playwright test "$@" ); then
  echo "--- server log ---"; tail -50 "$LOG"
  exit 1
fi
echo "e2e: screenshots in end2end/screenshots/"
