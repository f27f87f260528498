#!/usr/bin/env bash
# Downloads through Spool's headless runner against aria2c and curl, in the same run, from an
# nginx serving 127.0.0.1:
#   1,000 files of 1 MiB and 10,000 small JSON responses, 2 transfers at once (Spool: its default
#   per-host cap of 2; aria2c -j 2 -x 1; curl -Z --parallel-max 2), and the JSON again with 16
#   at once (spoolctl run --workers 16 --host-cap 16; aria2c -j 16; curl --parallel-max 16).
# Each anchor runs with its ordinary options. Prints the median wall and CPU time (user + sys of
# the client's processes) of ROUNDS runs, the ratios to each anchor, and where the CPU of one
# Spool download goes (perf record -g on one more run of 2,000 JSON downloads).
#
# Fair to every client, measured: as root, each run writes into an ext4 made for it (a loop
# device), as on a new disk: on a file system that has lived, the kernel's search for free inodes
# costs each client more, and differently (aria2's system time rose from 4.3 to 13 s over runs
# that each deleted the one before; Spool's varied 1.5-5 s between runs of one script). Where no
# loop device can be had (or with SPOOL_BENCH_FS=tmp), each run writes into a folder of its own
# under /tmp and nothing is deleted until the end. `sync` runs before each run, so none pays for
# another's writeback; the order rotates every round.
#
#   bench/bench_download.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-3}
tools/deps.sh bench
[ -x "$build/bin/spoolctl" ] || tools/build.sh "$build"
spoolctl=$PWD/$build/bin/spoolctl

source bench/nginx.sh
bench_root_create

# fresh_run_dir: prints a new folder for one run, on an ext4 made for it when that can be done.
fresh_fs=0
if [ "${SPOOL_BENCH_FS:-}" != tmp ] && [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null \
    && losetup -f >/dev/null 2>&1; then
    fresh_fs=1
    mkdir -p "$root/fs"
    trap 'umount "$root/fs" 2>/dev/null; bench_root_remove' EXIT
fi
fresh_run_dir() {
    if [ "$fresh_fs" = 1 ]; then
        umount "$root/fs" 2>/dev/null || true
        rm -f "$root/fs.img"
        truncate -s 3G "$root/fs.img" # sparse: holds what the run writes
        mkfs.ext4 -q -F "$root/fs.img"
        mount -o loop "$root/fs.img" "$root/fs"
        mktemp -d "$root/fs/run.XXXXXX"
    else
        mktemp -d "$root/runs/run.XXXXXX"
    fi
}

mkdir -p "$root/www/big" "$root/www/api" "$root/runs"
echo "preparing 1000 x 1 MiB and 10000 JSON files..." >&2
head -c $((1 << 20)) /dev/urandom > "$root/seed.bin"
for i in $(seq 1 1000); do
    # Distinct content per file without reading /dev/urandom 1000 times.
    { printf '%08d' "$i"; tail -c +9 "$root/seed.bin"; } > "$root/www/big/f$i.bin"
done
for i in $(seq 1 10000); do
    printf '{"id":%d,"name":"item %d","tags":["a","b","c"],"value":%d.5}\n' "$i" "$i" "$((i * 7))" > "$root/www/api/i$i.json"
done
nginx_start "tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 60s;" /api/i1.json

# measure OUT_FILE CMD...: runs CMD; appends "wall cpu" (seconds) to OUT_FILE.
measure() {
    local out=$1
    shift
    /usr/bin/time -f '%e %U %S' -o "$root/time.txt" "$@" >/dev/null 2>"$root/err.txt" || { cat "$root/err.txt" >&2; return 1; }
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$root/time.txt" >> "$out"
}

# One client, one run, into a new folder: spool|aria2|curl LIST CONCURRENCY SERVED_DIR RESULTS
run_client() {
    local client=$1 list=$2 conc=$3 served=$4 results=$5
    local run
    run=$(fresh_run_dir)
    mkdir "$run/out"
    sync
    case $client in
    spool)
        local options=(--quiet)
        [ "$conc" -gt 2 ] && options+=(--workers "$conc" --host-cap "$conc")
        # Adding and running are both the user's cost: one timed script.
        measure "$results" bash -c 's=$0 r=$1 l=$2; shift 2
            "$s" --data-dir "$r/q" add download --from "$l" --dir "$r/out" >/dev/null &&
            "$s" --data-dir "$r/q" run --until-empty "$@"' "$spoolctl" "$run" "$list" "${options[@]}" ;;
    aria2)
        measure "$results" aria2c -i "$list" -d "$run/out" -j "$conc" -x 1 ;;
    curl)
        sed 's/.*/url = "&"/' "$list" > "$run/curl.cfg"
        measure "$results" curl -s -S -f -Z --parallel-max "$conc" --remote-name-all --output-dir "$run/out" -K "$run/curl.cfg" ;;
    esac
    if ! diff -rq "$root/www/$served" "$run/out" >/dev/null; then
        echo "  $client: the downloaded files differ from the served ones ($(find "$run/out" -type f | wc -l) files)" >&2
        return 1
    fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run_case() {
    local name=$1 served=$2 count=$3 ext=$4 conc=$5
    local prefix=i
    [ "$served" = big ] && prefix=f
    local list="$root/$served.$count.list"
    for i in $(seq 1 "$count"); do echo "http://127.0.0.1:$port/$served/$prefix$i$ext"; done > "$list"
    local clients=(spool aria2 curl)
    rm -f "$root"/results.*
    for round in $(seq 0 $((rounds - 1))); do
        for k in 0 1 2; do
            local client=${clients[$(((k + round) % 3))]}
            run_client "$client" "$list" "$conc" "$served" "$root/results.$client"
        done
    done
    local sw sc aw ac cw cc
    sw=$(cut -d' ' -f1 "$root/results.spool" | median); sc=$(cut -d' ' -f2 "$root/results.spool" | median)
    aw=$(cut -d' ' -f1 "$root/results.aria2" | median); ac=$(cut -d' ' -f2 "$root/results.aria2" | median)
    cw=$(cut -d' ' -f1 "$root/results.curl" | median); cc=$(cut -d' ' -f2 "$root/results.curl" | median)
    printf '%-30s %6s/%-6s %6s/%-6s %6s/%-6s %5s %5s %5s %5s\n' "$name" "$sw" "$sc" "$aw" "$ac" "$cw" "$cc" \
        "$(echo "scale=2; $sw / $aw" | bc)" "$(echo "scale=2; $sc / $ac" | bc)" \
        "$(echo "scale=2; $sw / $cw" | bc)" "$(echo "scale=2; $sc / $cc" | bc)"
}

# Where one Spool download's CPU goes: perf record -g on 2,000 small downloads.
cost_breakdown() {
    local run list="$root/api.2000.list"
    for i in $(seq 1 2000); do echo "http://127.0.0.1:$port/api/i$i.json"; done > "$list"
    run=$(fresh_run_dir)
    "$spoolctl" --data-dir "$run/q" add download --from "$list" --dir "$run/out" >/dev/null
    sync
    /usr/bin/time -f '%U %S' -o "$root/time.txt" \
        perf record -q -g -o "$root/perf.data" -- "$spoolctl" --data-dir "$run/q" run --until-empty --quiet >/dev/null 2>&1
    local cpu
    cpu=$(awk '{ print $1 + $2 }' "$root/time.txt")
    perf script -i "$root/perf.data" 2>/dev/null | bench/perfcost.py "$cpu" 2000
}

where="a folder under /tmp for each run"
[ "$fresh_fs" = 1 ] && where="a new ext4 for each run"
echo "Spool vs aria2c and curl, nginx on 127.0.0.1, median of $rounds runs, into $where"
echo "(seconds wall/CPU; ratios < 1: Spool is better)"
printf '%-30s %13s %13s %13s %5s %5s %5s %5s\n' case spool aria2 curl "w/ar" "c/ar" "w/cu" "c/cu"
run_case "1000 x 1 MiB, 2 at once" big 1000 .bin 2
run_case "10000 small JSON, 2 at once" api 10000 .json 2
run_case "10000 small JSON, 16 at once" api 10000 .json 16
cost_breakdown
