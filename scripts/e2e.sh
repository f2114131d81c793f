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

PRESSRUN_DATA_DIR="$DATA" PRESSRUN_DEMO=1 PRESSRUN_ADDR="127.0.0.1:$PORT" PRESSRUN_SITE_ROOT=target/site \
  target/debug/pressrun serve >"$LOG" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
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
