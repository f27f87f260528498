#!/usr/bin/env bash
# Starts the real app under Xvfb with a few running and finished jobs and saves a screenshot.
# Usage: tools/screenshot.sh [OUT.png]   (default: build/screenshot.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/screenshot.png}
tools/deps.sh test
[ -x build/bin/spool ] || tools/build.sh build
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
ctl() { build/bin/spoolctl --data-dir "$data" "$@"; }
for ms in 150 200; do ctl add sleep --ms "$ms" >/dev/null; done
ctl run --until-empty --quiet
ctl add busy --ms 60000 >/dev/null
ctl add sleep --ms 60000 >/dev/null
ctl add sleep --ms 2000 >/dev/null
failed=$(ctl add sleep --ms 100000)
ctl cancel "$failed" >/dev/null

xvfb-run -a -s "-screen 0 1100x700x24" bash -c "
    build/bin/spool --data-dir '$data' &
    app=\$!
    sleep 3
    import -window root '$out'
    kill \$app
    wait \$app 2>/dev/null || true
"
echo "$out"
