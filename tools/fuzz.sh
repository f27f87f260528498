#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan, in build-fuzz/) and runs each for SECONDS
# (default 60) from its seed corpus. A crash, leak, UB or broken invariant stops with the input
# saved as build-fuzz/findings/NAME/crash-*; turn it into a test in the normal suite.
# Usage: tools/fuzz.sh [SECONDS | --runs N] [NAME... | --except NAME...]
# --runs N: N inputs per harness from a fixed seed and the seed corpus only, so that the same
# commit gives the same result every time (CI); SECONDS explores anew on every call.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=(-max_total_time=60)
what="in 60 s"
if [ "${1:-}" = --runs ]; then
    budget=(-runs="$2" -seed=1)
    what="(fixed seed)"
    shift 2
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    budget=(-max_total_time="$1")
    what="in $1 s"
    shift
fi
tools/deps.sh fuzz
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSPOOL_WERROR=ON -DSPOOL_FUZZ=ON -DSPOOL_SANITIZE=address,undefined \
    -DSPOOL_BUILD_TESTS=OFF -DSPOOL_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j2 --target spool_fuzzers
# intercept_tls_get_addr=0: as in tools/test.sh (clang 14's runtime has the same misreading of
# dynamic TLS blocks at page offset 16 that kills LeakSanitizer at exit now and then).
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 intercept_tls_get_addr=0"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1"
export QT_QPA_PLATFORM=offscreen
names=("$@")
except=()
if [ "${1:-}" = --except ]; then
    except=("${@:2}")
    names=()
fi
if [ ${#names[@]} -eq 0 ]; then
    for f in tests/fuzz/fuzz_*.cpp; do
        name=$(basename "$f" .cpp)
        [[ " ${except[*]} " == *" $name "* ]] || names+=("$name")
    done
fi
status=0
for name in "${names[@]}"; do
    corpus=build-fuzz/corpus/$name findings=build-fuzz/findings/$name
    # The seeds stay in the tree; what the fuzzer learns stays in the build tree. A fixed-seed
    # run starts from the seeds alone, so it learns into a scratch folder.
    if [ "${budget[1]:-}" = -seed=1 ]; then
        corpus=build-fuzz/scratch-corpus/$name
        rm -rf "$corpus"
    fi
    mkdir -p "$corpus" "$findings"
    log=build-fuzz/findings/$name.log
    if build-fuzz/fuzz/"$name" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" "tests/fuzz/corpus/$name" \
        >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
        echo "$name: ${runs:-?} runs $what, nothing found"
    else
        echo "$name: FOUND A PROBLEM (input in $findings/, log $log):"
        grep -m1 -E 'ERROR|invariant broken|runtime error|deadly signal|timeout' "$log" || tail -5 "$log"
        status=1
    fi
done
exit $status
