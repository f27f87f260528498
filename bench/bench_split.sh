#!/usr/bin/env bash
# A split render against the same render in one job: two `spoolctl run --workers 1` processes
# (standing in for two machines) with `--split 2 --threads 1`, against one process rendering it
# alone with `--threads 1`, in the same run; then what the split itself costs, from the jobs'
# timelines.
#   bench/bench_split.sh [--queue URL] [ROUNDS] [SCENE] [WIDTH] [HEIGHT] [SAMPLES]
# (default: 3 rounds of procedural:terrain at 1920x1080, 16 samples)
# Without --queue both processes share a local queue and the parts meet in the output folder;
# the cost is the parts keeping their samples and the merge reading and adding them. With
# --queue (a PostgreSQL queue, e.g. under pg_virtualenv) they are two machines with nothing
# shared but the queue: "desk" queues the render and runs one part, "farm" the other; the scene's
# files, each part's samples and the delivery to desk go through the queue, and the cost is the
# scene's fetch, the parts storing their samples, and the delivery fetching and adding them and
# writing the PNG. A round whose split takes over 1.3x its two halves prints its jobs' timelines.
set -euo pipefail
cd "$(dirname "$0")/.."
queue=
if [ "${1:-}" = --queue ]; then
    queue=$2
    shift 2
fi
unset SPOOL_QUEUE # the one-process render runs on its own local queue
rounds=${1:-3}
scene=${2:-procedural:terrain}
width=${3:-1920}
height=${4:-1080}
samples=${5:-16}
[ "$samples" -ge 2 ] || { echo "a split of two needs at least 2 samples" >&2; exit 2; }
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
# When the last job of a data directory finished (epoch seconds): when the picture was done, before
# the runners noticed that nothing was left and exited.
finished_at() { # DATADIR
    "$ctl" --data-dir "$1" list --json | python3 -c '
import datetime, json, sys
print(max(datetime.datetime.fromisoformat(j["finishedAt"].replace("Z", "+00:00")).timestamp()
          for j in json.load(sys.stdin)))'
}
# The milliseconds that log lines matching PATTERN report (the number before " ms"), summed over
# the jobs whose output path contains TAG.
logged_ms() { # PATTERN TAG DATADIR
    "$ctl" --data-dir "$3" list --json | python3 -c '
import json, re, subprocess, sys
total = 0
ctl, pattern, tag, data = sys.argv[1:5]
for job in json.load(sys.stdin):
    if tag not in job["params"].get("out", ""):
        continue
    shown = subprocess.run([ctl, "--data-dir", data, "show", job["id"], "--json"],
                           capture_output=True, text=True).stdout
    for event in json.loads(shown)["events"]:
        detail = event.get("detail") or ""
        if re.search(pattern, detail):
            total += int(re.findall(r"(\d+) ms", detail)[-1])
print(total)' "$ctl" "$1" "$2" "$3"
}

# Every job's events in the data directory, in seconds from START, in time order.
timelines() { # DATADIR START
    "$ctl" --data-dir "$1" list --json | python3 -c '
import datetime, json, subprocess, sys
ctl, data, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
lines = []
for job in json.load(sys.stdin):
    shown = subprocess.run([ctl, "--data-dir", data, "show", job["id"], "--json"],
                           capture_output=True, text=True).stdout
    for event in json.loads(shown)["events"]:
        at = datetime.datetime.fromisoformat(event["at"].replace("Z", "+00:00")).timestamp()
        lines.append((at - start, job["id"][:8], event["event"], (event.get("detail") or "")[:100]))
for line in sorted(lines, key=lambda line: line[0]):  # ties keep their order
    print("       %8.3f %s %-9s %s" % line)' "$ctl" "$1" "$2"
}

# The most any split of this render can gain on this machine: two processes each rendering half
# the samples on their own, at the same time (no queue shared, nothing merged). On a machine
# whose two cores do not each run a process at full speed (this VM's two vCPUs run two copies of
# a CPU-bound loop at about 1.3-1.45x the throughput of one), that ceiling is below 2.
add_halves() { # DIR
    local half=$((samples / 2))
    mkdir -p "$1/a/out" "$1/b/out"
    "$ctl" --data-dir "$1/a" add render "$scene" --out "$1/a/out/a.png" --width "$width" \
        --height "$height" --samples "$half" --threads 1 >/dev/null
    "$ctl" --data-dir "$1/b" add render "$scene" --out "$1/b/out/b.png" --width "$width" \
        --height "$height" --samples "$((samples - half))" --seed 2 --threads 1 >/dev/null
}
run_halves() { # DIR
    local first
    run "$1/a" &
    first=$!
    run "$1/b"
    wait "$first"
    [ -f "$1/a/out/a.png" ] && [ -f "$1/b/out/b.png" ] ||
        { echo "a half render wrote no picture" >&2; exit 1; }
}

split_pair() { # DIR: the split render on two processes; prints its split cost in ms
    local dir=$1 first
    if [ -z "$queue" ]; then
        add "$dir" "$dir/out/two.png" --split 2
        now >"$dir/start" # as for the others, queueing is not timed
        run "$dir" &
        first=$!
        run "$dir"
        wait "$first"
        now >"$dir/end" # before the timelines are read
        local keep_ms add_ms
        keep_ms=$(logged_ms 'samples kept in' "$dir/" "$dir")
        add_ms=$(logged_ms 'read and added in' "$dir/" "$dir")
        echo "$((keep_ms + add_ms))" >"$dir/cost"
        echo "parts keeping ${keep_ms} ms, merge reading and adding ${add_ms} ms" >"$dir/cost-parts"
        return
    fi
    export SPOOL_QUEUE=$queue
    SPOOL_RUNNER_HOST=desk add "$dir/desk" "$dir/out/two.png" --split 2
    now >"$dir/start"
    SPOOL_RUNNER_HOST=desk run "$dir/desk" &
    first=$!
    SPOOL_RUNNER_HOST=farm run "$dir/farm"
    wait "$first"
    now >"$dir/end" # before the timelines are read
    local scene_ms store_ms add_ms
    scene_ms=$(logged_ms 'scene from the queue' "$dir/" "$dir/desk")
    store_ms=$(logged_ms 'stored in the queue in' "$dir/" "$dir/desk")
    add_ms=$(logged_ms 'fetched from the queue and added' "$dir/" "$dir/desk")
    unset SPOOL_QUEUE
    echo "$((scene_ms + store_ms + add_ms))" >"$dir/cost"
    echo "scene ${scene_ms} ms, parts storing ${store_ms} ms, delivery fetching and adding ${add_ms} ms" \
        >"$dir/cost-parts"
}

printf "%s at %sx%s, %s samples; wall seconds (lower is better)%s\n" "$scene" "$width" "$height" \
    "$samples" "${queue:+; the split through a shared queue}"
printf "%-6s %12s %14s %8s %12s %8s %16s %8s\n" round "one process" "split, two" ratio \
    "two halves" ceiling "split cost ms" "cost %"
ones=() twos=() ratios=() shares=() halves=() ceilings=() pratios=()
for r in $(seq 1 "$rounds"); do
    one=$work/one-$r two=$work/two-$r
    mkdir -p "$one/out" "$two/out"
    add "$one" "$one/out/one.png"
    start=$(now)
    run "$one"
    t1=$(echo "$(now) - $start" | bc -l)
    p1=$(echo "$(finished_at "$one") - $start" | bc -l)
    split_pair "$two"
    t2=$(echo "$(cat "$two/end") - $(cat "$two/start")" | bc -l)
    if [ -z "$queue" ]; then
        p2=$(echo "$(finished_at "$two") - $(cat "$two/start")" | bc -l)
    else
        p2=$(echo "$(SPOOL_QUEUE=$queue finished_at "$two/desk") - $(cat "$two/start")" | bc -l)
    fi
    pratio=$(echo "$p1 / $p2" | bc -l)
    cost=$(cat "$two/cost")
    [ -f "$two/out/two.png" ] || { echo "the split render wrote no picture" >&2; exit 1; }
    add_halves "$work/halves-$r"
    start=$(now)
    run_halves "$work/halves-$r"
    th=$(echo "$(now) - $start" | bc -l)
    ratio=$(echo "$t1 / $t2" | bc -l)
    ceiling=$(echo "$t1 / $th" | bc -l)
    share=$(echo "$cost / 10 / $t1" | bc -l)
    ones+=("$t1") twos+=("$t2") ratios+=("$ratio") shares+=("$share") halves+=("$th")
    pratios+=("$pratio")
    ceilings+=("$ceiling")
    printf "%-6s %12.2f %14.2f %7.2fx %12.2f %7.2fx %16s %7.1f%%\n" "$r" "$t1" "$t2" "$ratio" \
        "$th" "$ceiling" "$cost" "$share"
    echo "       split cost: $(cat "$two/cost-parts")"
    printf "       to the picture: one process %.2f, split %.2f, ratio %.2fx\n" "$p1" "$p2" "$pratio"
    # A split far slower than its halves was held up by something other than the split's cost:
    # what each job did, and when, is the place to start.
    if [ "$(echo "$t2 > 1.3 * $th" | bc -l)" = 1 ]; then
        echo "       the split took over 1.3x the halves; its jobs' timelines:"
        if [ -z "$queue" ]; then
            timelines "$two" "$(cat "$two/start")"
        else
            SPOOL_QUEUE=$queue timelines "$two/desk" "$(cat "$two/start")"
        fi
    fi
done
median() { printf "%s\n" "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf "%-6s %12.2f %14.2f %7.2fx %12.2f %7.2fx %16s %7.1f%%\n" median "$(median "${ones[@]}")" \
    "$(median "${twos[@]}")" "$(median "${ratios[@]}")" "$(median "${halves[@]}")" \
    "$(median "${ceilings[@]}")" "" "$(median "${shares[@]}")"
printf "to the picture, median ratio %.2fx: from the start to the last job's end, before the\n" \
    "$(median "${pratios[@]}")"
printf "runners notice that nothing is left and exit (an idle runner hears of another's change on\n"
printf "its next look at the store)\n"
printf "ratio: one process over two with the split, each round's runs back to back; the\n"
printf "median ratio is of the rounds' ratios (goal >= 1.8 with two idle cores)\n"
printf "two halves: two processes each rendering half the samples alone, at once; ceiling: one\n"
printf "process over them, the most a split of two can gain on this machine\n"
if [ -z "$queue" ]; then
    printf "split cost: both parts keeping their samples plus the merge reading and adding them\n"
else
    printf "split cost: fetching the scene, both parts storing their samples in the queue, and the\n"
    printf "delivery fetching and adding them (goal <= 5%% of the render)\n"
fi
printf "cost %%: the split cost as a share of the one-process render's time\n"
