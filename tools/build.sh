#!/usr/bin/env bash
# Configures and builds one build tree. Usage: tools/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPOOL_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j2
