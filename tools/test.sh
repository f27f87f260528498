#!/usr/bin/env bash
# Quick start, step 2: installs what is missing, builds, and runs the whole test suite.
#   tools/test.sh          the suite in build/
#   tools/test.sh --tsan   the suite under ThreadSanitizer in build-tsan/
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh test

dir=build
cmake_args=()
if [ "${1:-}" = --tsan ]; then
    dir=build-tsan
    cmake_args=(-DSPOOL_SANITIZE=thread -DSPOOL_BUILD_BENCH=OFF)
    # Qt is not built with TSan: the file names Qt internals only, never Spool's code.
    # ignore_noninstrumented_modules: races are only reported from instrumented (Spool) code;
    # Qt's own frees and waits, which TSan cannot see the locking of, are not. die_after_fork=0:
    # libproxy (behind Qt's system proxy settings) forks a helper that starts threads.
    export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp ignore_noninstrumented_modules=1 die_after_fork=0 halt_on_error=1 second_deadlock_stack=1 history_size=4"
fi
tools/build.sh "$dir" "${cmake_args[@]}"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$dir" --output-on-failure -j2 --timeout 600
