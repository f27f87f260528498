#!/usr/bin/env bash
# Runs inside the clean Debian 12 of tools/install-test.sh, where spool and spool-dev are
# installed from their .debs and nothing of the source tree exists. Uses the installed files
# only, as a user who is not root, and says what it checks as it goes.
set -euo pipefail
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'INSTALL TEST FAILED: %s\n' "$*" >&2; exit 1; }

useradd --create-home tester
install -d -m 0700 -o tester -g tester /tmp/runtime-tester
as() { runuser -u tester -- env HOME=/home/tester XDG_RUNTIME_DIR=/tmp/runtime-tester "$@"; }

step "the programs answer without a display"
as spoolctl --version
as spool --version
as spoolctl help add render | head -3
[ -x /usr/libexec/spool/spool-worker-host ] && [ -x /usr/libexec/spool/spool-scene-reader ] ||
    fail "the helpers are not in /usr/libexec/spool"
man -w spoolctl >/dev/null 2>&1 || [ -e /usr/share/man/man1/spoolctl.1.gz ] ||
    fail "no spoolctl man page"

step "a download from a local server and a render, with spoolctl"
mkdir -p /srv/files
head -c 300000 /dev/urandom > /srv/files/data.bin
sha=$(sha256sum /srv/files/data.bin | cut -d' ' -f1)
python3 -m http.server --bind 127.0.0.1 8765 --directory /srv/files >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8765))' \
    2>/dev/null && break; sleep 0.1; done
cat > /home/tester/box.obj <<'OBJ'
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
v 0 0 1
v 1 0 1
v 1 1 1
v 0 1 1
f 1 2 3 4
f 5 8 7 6
f 1 5 6 2
f 2 6 7 3
f 3 7 8 4
f 5 1 4 8
OBJ
chown tester: /home/tester/box.obj
as mkdir -p /home/tester/out
as spoolctl add download http://127.0.0.1:8765/data.bin --dir /home/tester/out --sha256 "$sha"
as spoolctl add render /home/tester/box.obj --out /home/tester/out/box.png --width 160 \
    --height 120 --samples 4
as spoolctl run --until-empty
as spoolctl list
cmp /srv/files/data.bin /home/tester/out/data.bin || fail "the downloaded file differs"
[ "$(head -c 8 /home/tester/out/box.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] ||
    fail "the render is not a PNG"
[ "$(as spoolctl list --json | grep -c '"state": "succeeded"')" = 2 ] || fail "a job did not succeed"

step "a shared queue that is not there is a clear error (the PostgreSQL driver is installed)"
set +e
out=$(as spoolctl --queue postgresql://tester@127.0.0.1:1/spool list 2>&1)
status=$?
set -e
echo "$out"
[ $status = 1 ] && echo "$out" | grep -q "is unreachable" ||
    fail "spoolctl --queue to a closed port did not say the queue is unreachable (exit $status)"

step "the app starts and shows its window (Xvfb)"
as xvfb-run -a -s "-screen 0 1100x680x24" bash -c '
    spool & app=$!
    sleep 5
    import -window root /tmp/spool-installed.png
    kill $app; wait $app 2>/dev/null || true'
[ -s /tmp/spool-installed.png ] || fail "no screenshot"

step "the template plugin, built out of tree against the installed SDK"
as cp -r /usr/share/spool/plugin-template /home/tester/myplugin
as cmake -S /home/tester/myplugin -B /home/tester/myplugin/build -G Ninja >/dev/null
as cmake --build /home/tester/myplugin/build
as spoolctl plugins --check /home/tester/myplugin/build/libtemplate.so
as mkdir -p /home/tester/.local/share/spool/plugins
as cp /home/tester/myplugin/build/libtemplate.so /home/tester/.local/share/spool/plugins/
as spoolctl plugins
as spoolctl add plugin hello --param who=Debian --param times=2
as spoolctl run --until-empty
as spoolctl list | grep -q 'greeted Debian 2 time' || fail "the plugin job did not succeed"

step "apt-get remove leaves nothing behind"
dpkg -L spool spool-dev | sort -u > /tmp/installed
kill $server 2>/dev/null || true
apt-get remove -y -qq spool-dev spool >/dev/null
left=0
while read -r path; do
    if [ -e "$path" ] && [ ! -d "$path" ]; then echo "left behind: $path"; left=1; fi
done < /tmp/installed
for dir in /usr/lib/spool /usr/libexec/spool /usr/share/spool /usr/include/spool \
    /usr/lib/cmake/SpoolPluginSdk /usr/share/doc/spool /usr/share/doc/spool-dev; do
    if [ -e "$dir" ]; then echo "left behind: $dir"; left=1; fi
done
[ $left = 0 ] || fail "files were left behind"
echo "nothing left behind ($(wc -l < /tmp/installed) paths checked)"
echo "INSTALL TEST PASSED"
