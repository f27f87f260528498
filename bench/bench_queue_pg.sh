#!/usr/bin/env bash
# The shared queue's whole lifecycle (enqueue, claim, run a no-op, finish) against its anchor,
# Graphile Worker 0.18 (bench/graphile), on one throwaway PostgreSQL 15 cluster (pg_virtualenv),
# in the same run, at concurrency 2 and 16; Graphile with its local queue (its fast mode: 500
# jobs fetched at once, completions committed at once) and without.
#   bench/bench_queue_pg.sh [N]      (default 20000 jobs per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
tools/deps.sh bench
command -v node >/dev/null || { echo "needs node (apt-get install nodejs npm)" >&2; exit 1; }
tools/build.sh build >/dev/null
(cd bench/graphile && npm ci --no-audit --no-fund --silent)

# pg_virtualenv sets PGHOST, PGPORT, PGUSER, PGPASSWORD: both clients take them from there.
# Besides jobs/s, the CPU each run took per 1,000 jobs: the client's own (bash's `time`), and
# every process's (/proc/stat, the server's included): steadier than wall time on a busy VM.
pg_virtualenv bash -c '
    set -euo pipefail
    n=$1
    hz=$(getconf CLK_TCK)
    out=$(mktemp)
    trap "rm -f $out" EXIT
    busy() { awk "/^cpu /{print \$2 + \$3 + \$4 + \$7 + \$8}" /proc/stat; }
    # Runs a client; prints "JOBS/S CLIENT_MS ALL_MS", the CPU per 1,000 jobs.
    measured() {
        local before after t
        before=$(busy)
        t=$( { TIMEFORMAT="%3U %3S"; time "$@" > "$out" 2>/dev/null; } 2>&1 )
        after=$(busy)
        sed -n "s/.*whole \([0-9]*\) jobs\/s.*/\1/p" "$out" | tr -d "\n"
        echo "$t" | awk -v n="$n" -v all="$(( (after - before) * 1000 / hz ))" \
            "{ printf \" %.0f %.0f\n\", (\$1 + \$2) * 1e6 / n, all * 1000 / n }"
    }
    spool() { build/bin/bench_lifecycle "$n" "$1" --queue postgresql://; }
    graphile() (
        cd bench/graphile && NO_LOG_SUCCESS=1 DATABASE_URL=postgresql:// node lifecycle.mjs "$n" "$1" "$2"
    )
    printf "%s no-op jobs per run; jobs/s for the whole lifecycle (higher is better)\n" "$n"
    printf "%-12s %10s %14s %14s %10s\n" concurrency spool "graphile+local" "graphile" "ratio"
    cpu=()
    for c in 2 16; do
        read -r s sc sa <<< "$(measured spool "$c")"
        read -r l lc la <<< "$(measured graphile "$c" local)"
        read -r p pc pa <<< "$(measured graphile "$c" plain)"
        best=$(( l > p ? l : p ))
        printf "%-12s %10s %14s %14s %9.2fx\n" "$c" "$s" "$l" "$p" "$(echo "$s / $best" | bc -l)"
        cpu+=("$(printf "%-12s %14s %14s %14s" "$c" "$sc / $sa" "$lc / $la" "$pc / $pa")")
    done
    printf "ratio: Spool over the better Graphile figure at the same concurrency (goal >= 1.5)\n\n"
    printf "CPU ms per 1,000 jobs, the client / every process (lower is better)\n"
    printf "%-12s %14s %14s %14s\n" concurrency spool "graphile+local" "graphile"
    printf "%s\n" "${cpu[@]}"
' bash "$n"
