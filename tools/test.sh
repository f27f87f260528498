#!/usr/bin/env bash
# Quick start, step 2: installs what is missing, builds, and runs the whole test suite.
#   tools/test.sh                 the suite in build/
#   tools/test.sh --tsan          under ThreadSanitizer, in build-tsan/
#   tools/test.sh --asan          under AddressSanitizer + UndefinedBehaviorSanitizer, in build-asan/
#   tools/test.sh --repeat N      each test until it fails, at most N times (flake hunting)
#   tools/test.sh --load          with two busy loops beside the suite (a loaded machine)
#   tools/test.sh --only REGEX    only the tests whose names match (ctest -R)
# The options combine: tools/test.sh --tsan --load --repeat 20 --only tst_gil
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
cmake_args=()
ctest_args=()
load=0
while [ $# -gt 0 ]; do
    case "$1" in
    --tsan)
        dir=build-tsan
        cmake_args=(-DSPOOL_SANITIZE=thread -DSPOOL_BUILD_BENCH=OFF)
        # Qt is not built with TSan: the file names Qt internals only, never Spool's code.
        # ignore_noninstrumented_modules: races are only reported from instrumented (Spool)
        # code; Qt's own frees and waits, which TSan cannot see the locking of, are not.
        # die_after_fork=0: libproxy (behind Qt's system proxy settings) forks a helper that
        # starts threads.
        export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp ignore_noninstrumented_modules=1 die_after_fork=0 halt_on_error=1 second_deadlock_stack=1 history_size=4"
        ;;
    --asan)
        dir=build-asan
        cmake_args=(-DSPOOL_SANITIZE=address,undefined -DSPOOL_BUILD_BENCH=OFF)
        # Any report stops the test (no recoverable UB). The suppressions name libraries only.
        # intercept_tls_get_addr=0: GCC 12's runtime takes any dynamic TLS block that malloc
        # happens to place at page offset 16 for a glibc 2.19 one and reads a range from the
        # word before it; at exit LeakSanitizer then scans that garbage range and dies ("Tracer
        # caught signal 11"), now and then, in whichever test's libraries used dynamic TLS.
        export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 strict_string_checks=1 detect_stack_use_after_return=1 intercept_tls_get_addr=0 suppressions=$PWD/tests/asan.supp"
        export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp print_suppressions=0"
        export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 suppressions=$PWD/tests/ubsan.supp"
        ;;
    --repeat)
        [ $# -ge 2 ] || { echo "--repeat needs a count" >&2; exit 2; }
        ctest_args+=(--repeat "until-fail:$2")
        shift
        ;;
    --load) load=1 ;;
    --only)
        [ $# -ge 2 ] || { echo "--only needs a regular expression" >&2; exit 2; }
        ctest_args+=(-R "$2")
        shift
        ;;
    *)
        echo "unknown option '$1' (see the top of tools/test.sh)" >&2
        exit 2
        ;;
    esac
    shift
done

tools/deps.sh test
tools/build.sh "$dir" "${cmake_args[@]}"
export QT_QPA_PLATFORM=offscreen

busy=()
stop_load() {
    [ ${#busy[@]} -eq 0 ] || kill "${busy[@]}" 2>/dev/null || true
}
trap stop_load EXIT
if [ "$load" = 1 ]; then
    for _ in 1 2; do
        sh -c 'while :; do :; done' &
        busy+=($!)
    done
    echo "Two busy loops run beside the suite (pids ${busy[*]})."
fi
# On failure the last lines name the failing tests and functions with their messages (a CI log
# shows its tail; the whole output of a failed test is above). ctest's console has timeouts and
# crashes, LastTest.log the tests' own output.
console="$dir/Testing/console.log"
mkdir -p "$dir/Testing"
if ! ctest --test-dir "$dir" --output-on-failure -j2 --timeout 900 "${ctest_args[@]}" 2>&1 |
    tee "$console"; then
    echo "What failed:"
    grep -a -E '\*\*\*(Failed|Timeout|Exception)|Subprocess aborted' "$console" | tail -20 || true
    grep -a -A3 -E '^(FAIL!|XPASS|QFATAL)|(ERROR|WARNING): [A-Za-z]+Sanitizer|Sanitizer has encountered|runtime error:' \
        "$dir/Testing/Temporary/LastTest.log" | tail -40 || true
    exit 8
fi
