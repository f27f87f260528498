#!/usr/bin/env bash
# Quick start, step 1: installs what is missing, builds, and starts the Spool app.
# Arguments go to the app (e.g. --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh app
tools/build.sh build -DSPOOL_BUILD_TESTS=OFF -DSPOOL_BUILD_BENCH=OFF
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    tools/deps.sh test
    echo "No display: starting Spool under Xvfb (see tools/screenshot.sh to look at it)." >&2
    exec xvfb-run -a build/bin/spool "$@"
fi
exec build/bin/spool "$@"
