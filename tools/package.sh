#!/usr/bin/env bash
# Builds the Debian packages spool and spool-dev (CPack) into build-package/, from a release
# build of its own, and checks them with lintian. Usage: tools/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh package
dir=build-package
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPOOL_WERROR=ON \
    -DSPOOL_BUILD_TESTS=OFF -DSPOOL_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$dir" -j2
rm -f "$dir"/*.deb
(cd "$dir" && cpack -G DEB >/dev/null)
ls "$dir"/*.deb
