#!/usr/bin/env bash
# Makes sure PostgreSQL answers at 127.0.0.1:5432 with trust auth (installing and starting it
# if needed), because the storage tests run on both engines and must not skip one.
set -euo pipefail

ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
ready && exit 0

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "postgres: installing"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
echo "postgres: starting cluster $version/main"
$SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  ready && exit 0
  sleep 1
done
echo "postgres: not answering at 127.0.0.1:5432" >&2
exit 1
