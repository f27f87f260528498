#!/usr/bin/env bash
# A split render against the same render in one job: two `spoolctl run --workers 1` processes on
# one queue (standing in for two machines) with `--split 2 --threads 1`, against one process
# rendering it alone with `--threads 1`, in the same run; then what the split itself costs (each
# part keeping its samples, the merge reading and adding them), from the parts' timelines.
#   bench/bench_split.sh [ROUNDS] [SCENE] [WIDTH] [HEIGHT] [SAMPLES]
# (default: 3 rounds of procedural:terrain at 1920x1080, 16 samples)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
scene=${2:-procedural:terrain}
width=${3:-1920}
height=${4:-1080}
samples=${5:-16}
tools/build.sh build >/dev/null
ctl=$PWD/build/bin/spoolctl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
add() { # DATADIR OUT [EXTRA...]
    local dir=$1 out=$2
    shift 2
    "$ctl" --data-dir "$dir" add render "$scene" --out "$out" --width "$width" --height "$height" \
        --samples "$samples" --threads 1 "$@" >/dev/null
}
run() { "$ctl" --data-dir "$1" run --workers 1 --until-empty --quiet; }
# The milliseconds that log lines matching PATTERN report (the number before " ms"), summed.
logged_ms() { # DATADIR PATTERN
    "$ctl" --data-dir "$1" list --json | python3 -c '
import json, re, subprocess, sys
total = 0
for job in json.load(sys.stdin):
    shown = subprocess.run([sys.argv[1], "--data-dir", sys.argv[2], "show", job["id"], "--json"],
                           capture_output=True, text=True).stdout
    for event in json.loads(shown)["events"]:
        detail = event.get("detail") or ""
        if re.search(sys.argv[3], detail):
            total += int(re.findall(r"(\d+) ms", detail)[-1])
print(total)' "$ctl" "$1" "$2"
}

printf "%s at %sx%s, %s samples; wall seconds (lower is better)\n" "$scene" "$width" "$height" "$samples"
printf "%-6s %12s %14s %8s %16s\n" round "one process" "split, two" ratio "split cost ms"
ones=() twos=() ratios=()
for r in $(seq 1 "$rounds"); do
    one=$work/one-$r two=$work/two-$r
    mkdir -p "$one/out" "$two/out"
    add "$one" "$one/out/one.png"
    start=$(now)
    run "$one"
    t1=$(echo "$(now) - $start" | bc -l)
    add "$two" "$two/out/two.png" --split 2
    start=$(now)
    run "$two" &
    first=$!
    run "$two"
    wait "$first"
    t2=$(echo "$(now) - $start" | bc -l)
    [ -f "$two/out/two.png" ] || { echo "the split render wrote no picture" >&2; exit 1; }
    cost=$(( $(logged_ms "$two" 'samples kept in') + $(logged_ms "$two" 'read and added in') ))
    ratio=$(echo "$t1 / $t2" | bc -l)
    ones+=("$t1") twos+=("$t2") ratios+=("$ratio")
    printf "%-6s %12.2f %14.2f %7.2fx %16s\n" "$r" "$t1" "$t2" "$ratio" "$cost"
done
median() { printf "%s\n" "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf "%-6s %12.2f %14.2f %7.2fx\n" median "$(median "${ones[@]}")" "$(median "${twos[@]}")" \
    "$(median "${ratios[@]}")"
printf "ratio: one process over two with the split, each round's pair run back to back; the\n"
printf "median ratio is of the rounds' ratios (goal >= 1.8 with two idle cores)\n"
printf "split cost: both parts keeping their samples plus the merge reading and adding them\n"
