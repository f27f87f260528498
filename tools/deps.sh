#!/usr/bin/env bash
# Installs the Debian 12 packages Spool needs to build, run and test, skipping those present.
# Usage: tools/deps.sh [app|test|bench|fuzz|package]   (test adds to app; the others add to test)
set -euo pipefail

purpose=${1:-test}
packages=(
    cmake ninja-build ccache g++ pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools
        qt6-l10n-tools libgl-dev libqt6svg6 qtkeychain-qt6-dev
    libembree-dev libassimp-dev
    # A render's PNG: libdeflate compresses it (src/jobs/render/pngencoder.cpp).
    libdeflate-dev
    # The shared queue: Qt's PostgreSQL driver, and libpq for connection strings and LISTEN.
    libqt6sql6-psql libpq-dev
    # The SQLite store's writes use SQLite's API directly, on the connection Qt's driver opened.
    libsqlite3-dev
)
test_packages=(
    # xvfb + imagemagick: look at the real window without a desktop (tools/screenshot.sh).
    xvfb xauth imagemagick xdotool clang-format python3 openssl
    # groff: tst_cli checks the man pages render without a warning.
    groff-base
    # A real notification service for tests/desktop/notifications.sh: a D-Bus session and dunst.
    dbus dunst
    # Real model files (BSD-3-Clause) for the render tests, in /usr/share/assimp/models.
    assimp-testmodels
    # A throwaway PostgreSQL 15 server for the shared-queue tests (tests/pgserver.h).
    postgresql
)
if [ "$purpose" = test ]; then
    packages+=("${test_packages[@]}")
fi
if [ "$purpose" = fuzz ]; then
    # libFuzzer ships with clang; the harnesses build with clang 14 under ASan+UBSan.
    packages+=("${test_packages[@]}" clang-14 libfuzzer-14-dev)
fi
if [ "$purpose" = package ]; then
    # The .debs (dpkg-shlibdeps, fakeroot-free CPack), their checks, and a clean Debian 12 to
    # install them into (tools/install-test.sh).
    packages+=("${test_packages[@]}" dpkg-dev file lintian desktop-file-utils appstream mmdebstrap)
fi
if [ "$purpose" = bench ]; then
    packages+=("${test_packages[@]}" nginx-light aria2 curl time bc linux-perf)
    # node + npm: bench/graphile, the shared queue's anchor (Graphile Worker). A node from
    # elsewhere (nodesource, nvm) is used as it is: Debian's npm would conflict with it.
    command -v node >/dev/null || packages+=(nodejs)
    command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
