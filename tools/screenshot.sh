#!/usr/bin/env bash
# Starts the real app under Xvfb with running, finished and failed jobs (downloads from a local
# server, renders of Debian's test models, diagnostic jobs) and saves a screenshot of the screen.
# Usage: tools/screenshot.sh [OUT.png] [extra app args...]
#   SPOOL_SHOT_SCREEN=WxH sets the screen (default 1280x800).
#   SPOOL_SHOT_ROW=N selects the Nth row (1-based) for the details panel (default 6: a render
#   in progress; 7 shows a running download).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/screenshot.png}
shift || true
tools/deps.sh test
[ -x build/bin/spool ] || tools/build.sh build
data=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$data"' EXIT
python3 tests/servers/faultserver.py > "$data/port" &
server=$!
for _ in $(seq 1 50); do grep -q PORT "$data/port" 2>/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$(awk '{print $2}' "$data/port")"
ctl() { build/bin/spoolctl --data-dir "$data" "$@" >/dev/null; }
export SPOOL_DOWNLOAD_DIR="$data/downloads" XDG_CONFIG_HOME="$data/config"
ctl add download "$base/file/report-2026.pdf?size=400000"
ctl add download "$base/file/photo.jpg?size=90000"
ctl add sleep --ms 300
ctl add download "$base/status?code=404" --name missing.zip
mkdir -p "$data/downloads"
ctl add render /usr/share/assimp/models/OBJ/spider.obj --out "$data/downloads/spider.png" \
    --width 480 --height 360 --samples 8
ctl run --until-empty
ctl add render procedural:terrain --out "$data/downloads/terrain.png" --width 1920 --height 1080 \
    --samples 512 --camera overview
ctl add download "$base/file/ubuntu-24.04.iso?size=80000000&drip=40&etag=a1"
ctl add download "$base/file/dataset.tar.gz?size=30000000&drip=60"
ctl add busy --ms 60000
ctl add sleep --ms 120000
ctl add download "$base/pages/json?page=1&n=40" --paginate json:links.next --name items.jsonl
id=$(build/bin/spoolctl --data-dir "$data" add sleep --ms 100000)
ctl pause "$id"

xvfb-run -a -s "-screen 0 ${SPOOL_SHOT_SCREEN:-1280x800}x24" bash -c "
    build/bin/spool --data-dir '$data' $* &
    app=\$!
        sleep 4
    # Select a row so that the details panel has something to show.
    xdotool mousemove 120 \$((105 + ${SPOOL_SHOT_ROW:-6} * 24)) click 1
    sleep 2
    import -window root '$out'
    kill \$app
    wait \$app 2>/dev/null || true
"
echo "$out"
