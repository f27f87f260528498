#!/usr/bin/env bash
# Screenshots of a queue shared by several machines, as a user sees it: the window on a
# throwaway PostgreSQL queue that two other "machines" (runners named render-01 and render-02)
# work on, the Runners view, Settings → Queue after Test Connection, and the window while the
# server is away and after it is back.
# Usage: tools/screenshot-shared.sh [OUTDIR]     (default build/screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build/screenshots}")
mkdir -p "$out"
tools/deps.sh test
[ -x build/bin/spool ] || tools/build.sh build

# pg_virtualenv: a throwaway cluster; PGHOST, PGPORT, PGUSER, PGPASSWORD point every client at it.
pg_virtualenv bash -c '
    set -euo pipefail
    out=$1
    data=$(mktemp -d)
    pids=()
    trap "kill \${pids[*]} 2>/dev/null || true; rm -rf $data" EXIT
    ctl() { build/bin/spoolctl --data-dir "$data/here" --queue postgresql:// "$@" >/dev/null; }
    for i in $(seq 1 6); do ctl add busy --ms 40000; done
    for i in $(seq 1 12); do ctl add sleep --ms 30000; done
    for host in render-01 render-02; do
        SPOOL_RUNNER_HOST=$host build/bin/spoolctl --data-dir "$data/$host" \
            --queue postgresql:// run --workers 3 --quiet &
        pids+=($!)
    done
    export XDG_CONFIG_HOME=$data/config
    xvfb-run -a -s "-screen 0 1280x800x24" bash -c "
        build/bin/spool --data-dir $data/here --queue postgresql:// &
        app=\$!
        sleep 6
        import -window root $out/shared-window.png
        # No window manager gives focus here: click the menu, then type its mnemonic.
        xdotool mousemove 97 8 click 1
        sleep 1
        xdotool key u
        sleep 4
        import -window root $out/shared-runners.png
        xdotool key Escape
        sleep 1
        xdotool mousemove 990 45 click 1
        sleep 2
        xdotool search --sync --name Settings windowfocus --sync
        xdotool key alt+q
        sleep 1
        # Shared queue, then the URL of this throwaway server, then Test Connection.
        xdotool key Down
        sleep 0.5
        xdotool key Tab
        xdotool type --delay 20 \"host=\$PGHOST port=\$PGPORT dbname=postgres\"
        xdotool key alt+t
        sleep 3
        import -window root $out/shared-settings.png
        xdotool key Escape
        # The server goes away (as by a crash): the window says so until it is back.
        pg_ctlcluster 15 regress stop -m immediate
        sleep 6
        import -window root $out/shared-unreachable.png
        pg_ctlcluster 15 regress start
        sleep 5
        import -window root $out/shared-back.png
        kill \$app
        wait \$app 2>/dev/null || true
    "
' bash "$out"
ls "$out"/shared-*.png
