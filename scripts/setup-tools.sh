#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already present at the pinned
# version, so a fresh machine needs nothing but this repository, rustup, node and apt.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.5
BINARYEN_VERSION=132
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# `--test` adds what only the test suite needs.
FOR_TESTS=0; [ "${1:-}" = "--test" ] && FOR_TESTS=1

need_apt=()
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
if ((FOR_TESTS)); then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
  command -v pg_isready >/dev/null 2>&1 || need_apt+=(postgresql)
fi
if ((${#need_apt[@]})); then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# The CLI must match the wasm-bindgen crate in Cargo.lock exactly, so derive it from there.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WB_VERSION"; then
  log "cargo install wasm-bindgen-cli $WB_VERSION"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  log "npm install -g binaryen@$BINARYEN_VERSION"
  npm install -g "binaryen@$BINARYEN_VERSION" >/dev/null
fi

# The test suite's SMTP server (scripts/smtp_sink.py).
if ((FOR_TESTS)) && ! python3 -c 'import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != "1.4.6")' 2>/dev/null; then
  log "pip install aiosmtpd 1.4.6"
  python3 -m pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6 2>&1 | grep -v "Running pip as the 'root' user" || true
  python3 -c 'import aiosmtpd' || { echo "setup: aiosmtpd did not install" >&2; exit 1; }
fi

log "tools ready"
