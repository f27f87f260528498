#!/usr/bin/env bash
# Downloads through Spool's headless runner against aria2c, in the same run, from an nginx
# serving 127.0.0.1: (a) 1,000 files of 1 MiB, (b) 10,000 small JSON responses. Both clients
# keep 2 transfers going at once (Spool: its per-host cap of 2; aria2c: -j 2, one connection per
# file). Prints wall time, CPU time (user + sys of the client processes) and Spool/aria2 ratios.
#
#   bench/bench_download.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tools/deps.sh bench
[ -x "$build/bin/spoolctl" ] || tools/build.sh "$build"
spoolctl=$PWD/$build/bin/spoolctl

source bench/nginx.sh
bench_root_create

mkdir -p "$root/www/big" "$root/www/api"
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

# Runs a command; prints "wall cpu" (seconds) on stdout.
measure() {
    /usr/bin/time -f '%e %U %S' -o "$root/time.txt" "$@" >/dev/null 2>"$root/err.txt" || { cat "$root/err.txt" >&2; return 1; }
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$root/time.txt"
}

run_case() {
    local name=$1 dir=$2 count=$3 ext=$4
    local list="$root/$name.list" aria_list="$root/$name.aria"
    : > "$list"; : > "$aria_list"
    if [ "$dir" = big ]; then prefix=f; else prefix=i; fi
    for i in $(seq 1 "$count"); do
        echo "http://127.0.0.1:$port/$dir/$prefix$i$ext" >> "$list"
        echo "http://127.0.0.1:$port/$dir/$prefix$i$ext" >> "$aria_list"
    done

    rm -rf "$root/out-aria" "$root/out-spool" "$root/q"
    mkdir -p "$root/out-aria" "$root/out-spool"
    read -r aria_wall aria_cpu < <(measure aria2c -q -i "$aria_list" -d "$root/out-aria" -j 2 -x 1 -s 1 \
        --file-allocation=none --auto-file-renaming=false --allow-overwrite=false --console-log-level=error \
        --summary-interval=0 --max-tries=3 --enable-http-keep-alive=true --enable-http-pipelining=false)
    read -r add_wall add_cpu < <(measure "$spoolctl" --data-dir "$root/q" add download --from "$list" --dir "$root/out-spool")
    read -r run_wall run_cpu < <(measure "$spoolctl" --data-dir "$root/q" run --until-empty --quiet)
    local spool_wall spool_cpu
    spool_wall=$(echo "$add_wall + $run_wall" | bc)
    spool_cpu=$(echo "$add_cpu + $run_cpu" | bc)

    local got_aria got_spool failed
    got_aria=$(find "$root/out-aria" -type f | wc -l)
    got_spool=$(find "$root/out-spool" -type f | wc -l)
    failed=$("$spoolctl" --data-dir "$root/q" list --state failed | tail -n +2 | wc -l)
    if ! diff -rq "$root/www/$dir" "$root/out-spool" >/dev/null || ! diff -rq "$root/www/$dir" "$root/out-aria" >/dev/null; then
        echo "  $name: downloaded files differ from the served ones (spool $got_spool, aria2 $got_aria, failed $failed)" >&2
        return 1
    fi
    printf '%-26s %9s %9s %9s %9s %8s %8s\n' "$name" "$spool_wall" "$aria_wall" "$spool_cpu" "$aria_cpu" \
        "$(echo "scale=2; $spool_wall / $aria_wall" | bc)" "$(echo "scale=2; $spool_cpu / $aria_cpu" | bc)"
}

echo "Spool vs aria2c, 2 transfers at once, nginx on 127.0.0.1 (seconds; ratio < 1: Spool is better)"
printf '%-26s %9s %9s %9s %9s %8s %8s\n' case "spool" "aria2" "spoolCPU" "aria2CPU" "wall" "cpu"
run_case "1000 x 1 MiB files" big 1000 .bin
run_case "10000 small JSON" api 10000 .json
