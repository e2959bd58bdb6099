#!/bin/sh
# Installs the Debian packages weir needs to build and test, when missing.
# Runs as root on a fresh Debian 12 machine (apt-get update first).
set -e
need=""
for pkg in gcc make libc6-dev libsqlite3-dev libicu-dev libzstd-dev libsnappy-dev zlib1g-dev python3; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
    echo "setup: installing$need"
    if [ "$(id -u)" != 0 ]; then
        echo "setup: not root; please install:$need" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq $need >/dev/null
fi
