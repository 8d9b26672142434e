#!/bin/sh
# Installs what parcelcast's tests and demo need on a Debian machine, if it
# is missing: a ClickHouse server binary. Safe to run again.
set -eu
if command -v clickhouse-server >/dev/null 2>&1 || command -v clickhouse >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "install-deps: clickhouse-server is missing and this user cannot install it (not root, no sudo)" >&2
        exit 1
    fi
fi
echo "install-deps: installing Debian's clickhouse-server" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends clickhouse-server >/dev/null
command -v clickhouse-server >/dev/null 2>&1
