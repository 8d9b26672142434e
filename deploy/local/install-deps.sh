#!/bin/sh
# Installs what parcelcast's tests and demo need on a Debian machine, where
# it is missing: a ClickHouse server binary, Debian's chromium (browser
# tests) and axe-core (accessibility checks in those tests). Safe to run
# again; quiet when there is nothing to do.
set -eu

# axe-core from the npm registry, pinned by version and by the sha512 of its
# tarball (the registry's "integrity" field, in hex). internal/browser reads
# the same version; the browser tests fail if the two differ.
AXE_VERSION=4.14.1
AXE_SHA512=1477dafa598d8d065f273d6af302aa203c02e83131707b7fa648cd41bd3d6b734f8c22a0dab86ee6a6f64b8afbe804b214d36db85a2826965edfb3a0b9d546b5

fail() {
    echo "install-deps: $*" >&2
    exit 1
}

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
fi

# apt_install PKG... installs Debian packages; apt-get update runs once.
UPDATED=""
apt_install() {
    if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
        fail "$* missing and this user cannot install it (not root, no sudo)"
    fi
    echo "install-deps: installing Debian's $*" >&2
    if [ -z "$UPDATED" ]; then
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq || fail "apt-get update failed"
        UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
        fail "apt-get install $* failed"
}

# ClickHouse.
if ! command -v clickhouse-server >/dev/null 2>&1 && ! command -v clickhouse >/dev/null 2>&1; then
    apt_install clickhouse-server
    command -v clickhouse-server >/dev/null 2>&1 || fail "clickhouse-server still missing after install"
fi

# Chromium, unless PARCELCAST_CHROMIUM names another browser binary.
if [ -n "${PARCELCAST_CHROMIUM:-}" ]; then
    [ -x "$PARCELCAST_CHROMIUM" ] || fail "PARCELCAST_CHROMIUM=$PARCELCAST_CHROMIUM is not an executable file"
elif [ ! -x /usr/bin/chromium ]; then
    apt_install chromium fonts-dejavu-core
    [ -x /usr/bin/chromium ] || fail "/usr/bin/chromium still missing after install"
fi

# axe-core: axe.min.js at PARCELCAST_AXE, or by default in the user's cache
# folder, outside the repository.
if [ -n "${PARCELCAST_AXE:-}" ]; then
    axe=$PARCELCAST_AXE
else
    cache=${XDG_CACHE_HOME:-}
    if [ -z "$cache" ]; then
        [ -n "${HOME:-}" ] || fail "neither XDG_CACHE_HOME nor HOME is set: cannot place axe-core"
        cache=$HOME/.cache
    fi
    axe=$cache/parcelcast/axe-core-$AXE_VERSION/axe.min.js
fi
if [ ! -s "$axe" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tgz=$tmp/axe-core-$AXE_VERSION.tgz
    if command -v npm >/dev/null 2>&1; then
        (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null 2>"$tmp/npm.log") ||
            fail "npm pack axe-core@$AXE_VERSION failed: $(cat "$tmp/npm.log")"
    else
        command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
        curl -fsS -o "$tgz" "https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz" ||
            fail "download of axe-core $AXE_VERSION from the npm registry failed"
    fi
    [ -s "$tgz" ] || fail "axe-core $AXE_VERSION tarball missing after download"
    sum=$(sha512sum "$tgz" | cut -d' ' -f1)
    [ "$sum" = "$AXE_SHA512" ] || fail "axe-core $AXE_VERSION tarball has sha512 $sum, want $AXE_SHA512"
    tar -xzf "$tgz" -C "$tmp" package/axe.min.js || fail "axe-core tarball has no package/axe.min.js"
    mkdir -p "$(dirname "$axe")"
    mv "$tmp/package/axe.min.js" "$axe.tmp.$$"
    mv "$axe.tmp.$$" "$axe"
fi
