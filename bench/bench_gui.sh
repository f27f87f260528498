#!/usr/bin/env bash
# GUI-thread latency under full load (Spool's window vs plain QtConcurrent::run, same run) with
# the downloads served by nginx on 127.0.0.1 at 2 MiB/s per connection, so that they last and
# report progress all along; then time to a visible window and memory with N jobs.
#
#   bench/bench_gui.sh [BUILD_DIR] [N=100000] [BUSY_MS=6000]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${2:-100000}
busy_ms=${3:-6000}
tools/deps.sh bench
[ -x "$build/bin/bench_gui" ] || tools/build.sh "$build"
bench=$PWD/$build/bin/bench_gui

source bench/nginx.sh
bench_root_create
head -c $((3 << 20)) /dev/urandom > "$root/www/f1.bin"
for i in $(seq 2 50); do cp "$root/www/f1.bin" "$root/www/f$i.bin"; done
# 2 MiB/s per connection: the downloads last and report progress all along.
nginx_start "limit_rate 2m;" /f1.bin

# Offscreen: the same painting into a backing store, without needing a display.
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
"$bench" latency "http://127.0.0.1:$port" "$busy_ms"
"$bench" startup "$jobs"
