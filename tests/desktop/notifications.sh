#!/usr/bin/env bash
# The app tells a real notification service when a job finishes: Xvfb, a D-Bus session of its own
# (dbus-run-session) and Debian's dunst; the notice is read back from dunst's history.
# Usage: notifications.sh SPOOL SPOOLCTL   (ctest runs it as desktop_notifications)
set -euo pipefail
app=$1 ctl=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR=$tmp/runtime XDG_CONFIG_HOME=$tmp/config SPOOL_DOWNLOAD_DIR=$tmp/out
mkdir -m 700 "$tmp/runtime"
mkdir "$tmp/out"
unset QT_QPA_PLATFORM # a real X display, as a desktop has
printf 'hello\n' > "$tmp/out/notes.txt"
"$ctl" --data-dir "$tmp/data" add sleep --ms 100 >/dev/null

xvfb-run -a dbus-run-session -- bash -s "$app" "$tmp" <<'SESSION'
set -euo pipefail
app=$1 tmp=$2
dunst >"$tmp/dunst.log" 2>&1 &
dunst=$!
has_service() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null |
        grep -q 'boolean true'
}
for _ in $(seq 1 100); do has_service && break; sleep 0.1; done
has_service || { echo "dunst did not start: $(cat "$tmp/dunst.log")"; exit 1; }
"$app" --data-dir "$tmp/data" >"$tmp/app.log" 2>&1 &
spool=$!
found=
# dunst lists a notice in its history once it is closed (by default 10 s after it shows): close
# what shows at each look, so that the wait is the app's, not dunst's display time.
for _ in $(seq 1 600); do
    dunstctl close-all
    history=$(dunstctl history)
    if grep -q 'is done' <<<"$history"; then found=yes; break; fi
    sleep 0.1
done
if ! kill $spool 2>/dev/null; then
    echo "the app ended early:"; cat "$tmp/app.log"; exit 1
fi
wait $spool || true
# Under a sanitizer build, a report from the app fails the test even though the notice arrived.
if grep -qE 'ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|runtime error' "$tmp/app.log"; then
    echo "the app reported:"; cat "$tmp/app.log"; exit 1
fi
kill $dunst 2>/dev/null || echo "dunst had ended: $(cat "$tmp/dunst.log")"
if [ -z "$found" ]; then
    echo "no notification reached dunst; the app said:"; cat "$tmp/app.log"
    echo "$history"
    exit 1
fi
grep -E '"(appname|summary|body)"' -A2 <<<"$history" | grep '"data"' | head -3
echo "the notification arrived"
SESSION
