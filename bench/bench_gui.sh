#!/usr/bin/env bash
# GUI-thread latency under full load (Spool's window vs plain QtConcurrent::run, same run) with
# the downloads served by nginx on 127.0.0.1 at 2 MiB/s per connection, so that they last and
# report progress all along; then time to a visible window and memory with N jobs.
#
#   bench/bench_gui.sh [BUILD_DIR] [N=100000] [BUSY_MS=6000]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${2:-100000}
busy_ms=${3:-6000}
tools/deps.sh bench
[ -x "$build/bin/bench_gui" ] || tools/build.sh "$build"
bench=$PWD/$build/bin/bench_gui

root=$(mktemp -d /tmp/spool-bench.XXXXXX)
chmod 755 "$root" # nginx's workers run as www-data
nginx_pid=
cleanup() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; rm -rf "$root"; }
trap cleanup EXIT

mkdir -p "$root/www" "$root/nginx"
head -c $((3 << 20)) /dev/urandom > "$root/www/f1.bin"
for i in $(seq 2 50); do cp "$root/www/f1.bin" "$root/www/f$i.bin"; done
chmod -R a+rX "$root/www"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$root/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $root/nginx/error.log;
pid $root/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    limit_rate 2m;
    types { application/octet-stream bin; }
    client_body_temp_path $root/nginx/body;
    proxy_temp_path $root/nginx/proxy;
    fastcgi_temp_path $root/nginx/fastcgi;
    uwsgi_temp_path $root/nginx/uwsgi;
    scgi_temp_path $root/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        root $root/www;
    }
}
CONF
nginx -c "$root/nginx/nginx.conf" -p "$root/nginx" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 1 50); do curl -sfI "http://127.0.0.1:$port/f1.bin" >/dev/null 2>&1 && break; sleep 0.1; done

# Offscreen: the same painting into a backing store, without needing a display.
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
"$bench" latency "http://127.0.0.1:$port" "$busy_ms"
"$bench" startup "$jobs"
