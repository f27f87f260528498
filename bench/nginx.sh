# Sourced by the benchmarks that serve files with nginx on 127.0.0.1 (Debian's nginx-light).

# A scratch folder $root with www/ to serve; it goes, with the server, when the script exits.
# World-readable: nginx's workers run as www-data.
bench_root_create() {
    root=$(mktemp -d /tmp/spool-bench.XXXXXX)
    chmod 755 "$root"
    nginx_pid=
    trap bench_root_remove EXIT
    mkdir -p "$root/www" "$root/nginx"
}

# The exit trap of bench_root_create: the server, then the folder.
bench_root_remove() {
    if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; fi
    rm -rf "$root"
}

# nginx_start EXTRA_HTTP_DIRECTIVES PROBE_PATH: serves $root/www on a free port ($port) and
# returns once PROBE_PATH answers.
nginx_start() {
    local extra=$1 probe=$2
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
    $extra
    types { application/json json; application/octet-stream bin; }
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
    for _ in $(seq 1 50); do
        curl -sfI "http://127.0.0.1:$port$probe" >/dev/null 2>&1 && break
        sleep 0.1
    done
}
