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
pg_virtualenv bash -c '
    set -euo pipefail
    n=$1
    whole() { sed -n "s/.*whole \([0-9]*\) jobs\/s.*/\1/p"; }
    printf "%s no-op jobs per run; jobs/s for the whole lifecycle (higher is better)\n" "$n"
    printf "%-12s %10s %14s %14s %10s\n" concurrency spool "graphile+local" "graphile" "ratio"
    for c in 2 16; do
        spool=$(build/bin/bench_lifecycle "$n" "$c" --queue postgresql:// | whole)
        local=$(cd bench/graphile && NO_LOG_SUCCESS=1 DATABASE_URL=postgresql:// \
            node lifecycle.mjs "$n" "$c" local 2>/dev/null | whole)
        plain=$(cd bench/graphile && NO_LOG_SUCCESS=1 DATABASE_URL=postgresql:// \
            node lifecycle.mjs "$n" "$c" plain 2>/dev/null | whole)
        best=$(( local > plain ? local : plain ))
        printf "%-12s %10s %14s %14s %9.2fx\n" "$c" "$spool" "$local" "$plain" \
            "$(echo "$spool / $best" | bc -l)"
    done
    printf "ratio: Spool over the better Graphile figure at the same concurrency (goal >= 1.5)\n"
' bash "$n"
