#!/usr/bin/env bash
# Builds the site, then for each engine (SQLite, then PostgreSQL) starts a server on a fresh
# data directory (and a fresh PostgreSQL database) with the demo publisher, runs the Playwright
# specs in Debian's Chromium, and stops the server (also on failure).
# `E2E_ENGINES=sqlite scripts/e2e.sh spec.ts` runs one engine; extra arguments go to Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

PORT=${PRESSRUN_E2E_PORT:-3100}
ENGINES=${E2E_ENGINES:-sqlite postgres}
PG_ADMIN_URL=${PRESSRUN_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}

cargo leptos build
( cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent )
mkdir -p end2end/screenshots

DATA="" SERVER="" SINK="" PG_DB=""
cleanup() {
  [ -n "$SERVER" ] && { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
  [ -n "$SINK" ] && { kill "$SINK" 2>/dev/null || true; wait "$SINK" 2>/dev/null || true; }
  [ -n "$PG_DB" ] && psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  [ -n "$DATA" ] && rm -rf "$DATA"
  DATA="" SERVER="" SINK="" PG_DB=""
}
trap cleanup EXIT

run_specs() {
  local engine=$1; shift
  echo "e2e: specs on $engine"
  DATA=$(mktemp -d /tmp/pressrun-e2e.XXXXXX)
  local log="$DATA/server.log"
  unset DATABASE_URL
  if [ "$engine" = postgres ]; then
    PG_DB="pressrun_e2e_$$"
    psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
    export DATABASE_URL="${PG_ADMIN_URL%/*}/$PG_DB"
  fi

  # A real SMTP server; specs read what it received from $PRESSRUN_E2E_MAIL_DIR.
  export PRESSRUN_E2E_MAIL_DIR="$DATA/received-mail"
  python3 scripts/smtp_sink.py "$PRESSRUN_E2E_MAIL_DIR" >"$DATA/sink.out" 2>"$DATA/sink.log" &
  SINK=$!
  for _ in $(seq 1 100); do grep -q READY "$DATA/sink.out" 2>/dev/null && break; sleep 0.1; done
  local smtp_port
  smtp_port=$(awk '/READY/ {print $2}' "$DATA/sink.out")
  [ -n "$smtp_port" ] || { cat "$DATA/sink.log"; echo "e2e: the SMTP server did not start" >&2; exit 1; }

  # The server and the specs' `pressrun tick` runs share this configuration. The in-server
  # scheduler is off so that only the specs decide when a tick happens.
  export PRESSRUN_DATA_DIR="$DATA" PRESSRUN_SITE_ROOT=target/site PRESSRUN_TICK_SECONDS=0 \
    PRESSRUN_SMTP_HOST=127.0.0.1 PRESSRUN_SMTP_PORT="$smtp_port" PRESSRUN_SMTP_TLS=none \
    PRESSRUN_MAIL_FROM="Valley Courier Media <billing@valley.example>" PRESSRUN_BIN="$PWD/target/debug/pressrun" \
    PRESSRUN_PUBLIC_URL="http://127.0.0.1:$PORT" PRESSRUN_TEST_PAYMENTS=1
  PRESSRUN_DEMO=1 PRESSRUN_ADDR="127.0.0.1:$PORT" target/debug/pressrun serve >"$log" 2>&1 &
  SERVER=$!

  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$log"; echo "e2e: the server exited ($engine)" >&2; exit 1; }
    sleep 0.5
  done

  if ! ( cd end2end && PRESSRUN_E2E_URL="http://127.0.0.1:$PORT" PRESSRUN_E2E_ENGINE="$engine" npx playwright test "$@" ); then
    echo "--- server log ($engine) ---"; tail -50 "$log"
    exit 1
  fi
  cleanup
}

for engine in $ENGINES; do
  run_specs "$engine" "$@"
done
echo "e2e: screenshots in end2end/screenshots/"
