#!/usr/bin/env python3
"""An HTTP server with fault modes for Spool's download tests. Standard library only.

Listens on 127.0.0.1 (port 0: any free port), prints "PORT <n>" on stdout, serves until killed.
With --cert/--key it speaks HTTPS. Every request is logged; GET /_log returns the log as JSON.

Bodies are deterministic: byte i of a resource with seed s is (i * 7 + s) % 251, so a test can
check every byte it received without storing the file.
"""

import argparse
import json
import socket
import ssl
import struct
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

LOCK = threading.Lock()
LOG = []
COUNTS = {}
INFLIGHT = {"now": 0, "most": 0}  # requests being answered at once (not /_ routes)
CHUNK = 16 * 1024


def content(start, end, seed=0):
    """Bytes [start, end) of the deterministic body."""
    period = bytes(((i * 7 + seed) % 251) for i in range(251))
    out = bytearray()
    pos = start
    while pos < end:
        offset = pos % 251
        take = min(251 - offset, end - pos)
        out += period[offset:offset + take]
        pos += take
    return bytes(out)


HOLDS = {}


def hold_event(key):
    with LOCK:
        return HOLDS.setdefault(key, threading.Event())


def count(key):
    with LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultserver/1"

    def log_message(self, *args):
        pass

    # --- helpers -------------------------------------------------------------------------

    def q(self, name, default=None):
        return self.query.get(name, [default])[0]

    def qi(self, name, default=0):
        value = self.q(name)
        return int(value) if value is not None else default

    def send_simple(self, code, body=b"", headers=None, reason=None):
        self.send_response(code, reason)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def stream(self, data, drip_ms=0):
        for i in range(0, len(data), CHUNK):
            if i + CHUNK >= len(data):
                self.leave_flight()
            self.wfile.write(data[i:i + CHUNK])
            if drip_ms:
                self.wfile.flush()
                time.sleep(drip_ms / 1000.0)

    def send_chunked(self, data):
        """Chunks of uneven sizes, some with an extension, then a trailer field."""
        sizes, at, i = [1, 7, 4096, 65536, 300, 16384], 0, 0
        while at < len(data):
            piece = data[at:at + sizes[i % len(sizes)]]
            extension = ";note=x" if i % 2 else ""
            self.wfile.write(b"%x%s\r\n" % (len(piece), extension.encode()) + piece + b"\r\n")
            at += len(piece)
            i += 1
        self.leave_flight()
        self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")

    # --- dispatch ------------------------------------------------------------------------

    def handle_any(self):
        parts = urlsplit(self.path)
        self.route = parts.path
        self.query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        dropped = getattr(self, "drop_next", False)
        with LOCK:
            LOG.append({"time": time.time(), "method": self.command, "path": self.path,
                        "headers": {k: v for k, v in self.headers.items()},
                        "peer": self.client_address[1], "dropped": dropped})
        if dropped:
            # dropnext=1 on the request before: this one is read, never answered, and its
            # connection closed, as a server's idle timeout can close a kept-alive connection
            # just as the client sends on it.
            self.close_connection = True
            return
        self.drop_next = self.q("dropnext") == "1"
        routes = {
            "/_log": self.r_log, "/_inflight": self.r_inflight, "/file": self.r_file, "/status": self.r_status,
            "/flaky": self.r_flaky, "/retry": self.r_retry, "/reset": self.r_reset,
            "/truncate": self.r_truncate, "/loop": self.r_loop, "/loop2": self.r_loop2,
                        "/redirect": self.r_redirect, "/chain": self.r_chain, "/huge": self.r_huge, "/disposition": self.r_disposition,
            "/cookie": self.r_cookie, "/pages/link": self.r_pages_link, "/pages/json": self.r_pages_json, "/echo": self.r_echo,
        }
        handler = routes.get(self.route)
        if handler is None and self.route.startswith("/file/"):
            handler = self.r_file  # /file/NAME: the same, with a file name in the URL
        if handler is None:
            self.send_simple(404, b"no such route")
            return
        self.in_flight = not self.route.startswith("/_")
        if self.in_flight:
            with LOCK:
                INFLIGHT["now"] += 1
                INFLIGHT["most"] = max(INFLIGHT["most"], INFLIGHT["now"])
        try:
            handler()
        finally:
            self.leave_flight()
            # closeafter=1: close once answered, without saying so (no "Connection: close").
            if self.q("closeafter") == "1":
                self.close_connection = True

    def leave_flight(self):
        """A request leaves the count before its last bytes are sent: the client cannot have
        finished with it (and its job cannot have ended) before then, so the count never holds
        a request whose job is over."""
        if getattr(self, "in_flight", False):
            self.in_flight = False
            with LOCK:
                INFLIGHT["now"] -= 1

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any

    # --- routes --------------------------------------------------------------------------

    def r_inflight(self):
        """The most requests answered at once so far, and how many now."""
        with LOCK:
            body = json.dumps(INFLIGHT).encode()
        self.send_simple(200, body, {"Content-Type": "application/json"})

    def r_log(self):
        with LOCK:
            body = json.dumps(LOG).encode()
        self.send_simple(200, body, {"Content-Type": "application/json"})

    def r_file(self, extra_headers=None):
        """A resource of `size` bytes. cl=0: no Content-Length (close-delimited). range=0: Range
        is ignored. etag=X: ETag "X" (and 304 for If-None-Match). drip=MS: pause per 16 KiB.
        hold=KEY&holdat=N: the first request with KEY stops after N bytes until a later request
        with KEY has been answered whole, then sends the rest."""
        size = self.qi("size", 1000)
        seed = self.qi("seed", 0)
        etag = self.q("etag")
        headers = dict(extra_headers or {})
        headers["Content-Type"] = "application/octet-stream"
        if etag:
            headers["ETag"] = '"%s"' % etag
            if self.headers.get("If-None-Match") == '"%s"' % etag:
                self.send_simple(304, b"", {"ETag": '"%s"' % etag})
                return
        if self.q("lastmod"):
            headers["Last-Modified"] = formatdate(1700000000, usegmt=True)
        name = self.q("name")
        if name:
            headers["Content-Disposition"] = 'attachment; filename="%s"' % name
        if self.q("ce"):  # a Content-Encoding label whatever the client asked for
            headers["Content-Encoding"] = self.q("ce")
        start = 0
        code = 200
        rng = self.headers.get("Range")
        if self.q("range", "1") == "1":
            headers["Accept-Ranges"] = "bytes"
            if_range = self.headers.get("If-Range")
            validator_ok = if_range is None or (etag and if_range == '"%s"' % etag) or \
                (self.q("lastmod") and if_range == headers.get("Last-Modified"))
            if rng and rng.startswith("bytes=") and validator_ok:
                start = int(rng[6:].split("-")[0])
                if start >= size:
                    self.send_simple(416, b"", {"Content-Range": "bytes */%d" % size})
                    return
                code = 206
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, size - 1, size)
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        close = self.q("cl", "1") == "0"
        chunked = self.q("chunked") == "1"
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size - start))
        self.end_headers()
        if chunked and self.command != "HEAD":
            self.send_chunked(content(start, size, seed))
        elif self.command != "HEAD":
            data = content(start, size, seed)
            hold = self.q("hold")
            if hold and count("hold:" + hold) == 1:
                # The first request stops after `holdat` bytes until a later one with the same
                # key has sent everything; then it sends the rest.
                at = self.qi("holdat", 0)
                self.stream(data[:at], self.qi("drip", 0))
                self.wfile.flush()
                hold_event(hold).wait(120)
                self.stream(data[at:], self.qi("drip", 0))
                return
            self.stream(data, self.qi("drip", 0))
            if hold:
                self.wfile.flush()
                hold_event(hold).set()

    def r_status(self):
        code = self.qi("code", 404)
        self.send_simple(code, b"status %d" % code)

    def r_flaky(self):
        if count("flaky:" + self.q("key", "")) <= self.qi("fail", 1):
            code = self.qi("code", 500)
            self.send_simple(code, b"failing on purpose")
            return
        self.r_file()

    def r_retry(self):
        if count("retry:" + self.q("key", "")) == 1:
            after = self.q("after", "1")
            value = formatdate(time.time() + float(after[5:]), usegmt=True) if after.startswith("date:") else after
            self.send_simple(self.qi("code", 429), b"slow down", {"Retry-After": value})
            return
        self.r_file()

    def r_reset(self):
        """Promise `size` bytes, send `at` of them, then reset the connection (RST)."""
        size = self.qi("size", 100000)
        if count("reset:" + self.q("key", "")) > self.qi("times", 1) or self.headers.get("Range"):
            self.r_file()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("ETag", '"%s"' % (self.q("etag") or "r1"))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(content(0, self.qi("at", 1000)))
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def r_truncate(self):
        """Promise `size` bytes, send `at`, then close normally (a short body)."""
        size = self.qi("size", 100000)
        if count("truncate:" + self.q("key", "")) > 1:
            self.r_file()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.send_header("ETag", '"%s"' % (self.q("etag") or "t1"))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(content(0, self.qi("at", 1000)))
        self.wfile.flush()
        self.close_connection = True

    def r_loop(self):
        self.send_simple(302, b"", {"Location": "/loop2"})

    def r_loop2(self):
        self.send_simple(302, b"", {"Location": "/loop"})

    def r_cookie(self):
        """Without the cookie k=v: a redirect back here that sets it (a sign-in step)."""
        if "k=v" not in (self.headers.get("Cookie") or ""):
            self.send_simple(302, b"", {"Set-Cookie": "k=v; Path=/; HttpOnly", "Location": self.path})
            return
        self.r_file()

    def r_redirect(self):
        self.send_simple(302, b"", {"Location": self.q("to", "/file")})

    def r_chain(self):
        """n more redirects, each to a new URL, then a small file."""
        n = self.qi("n", 0)
        if n > 0:
            self.send_simple(302, b"", {"Location": "/chain?n=%d" % (n - 1)})
            return
        self.r_file()

    def r_huge(self):
        """cl=1: declares 10 GiB. cl=0: streams without a length until the client goes away."""
        self.send_response(200)
        if self.q("cl", "1") == "1":
            self.send_header("Content-Length", str(10 << 30))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = content(0, 1 << 20)
        # At most 10 MB/s (an 80 Mbit/s line): Qt 6.4's HTTP thread reads a reply for as long
        # as bytes are waiting, so a sender faster than that thread (which runs at the jobs' low
        # priority, starved on a busy machine) keeps it from seeing the client's abort, and the
        # connection outlives the job (tst_download sizeCapIsEnforced; to go with Spool's own
        # HTTP client, issue 11).
        try:
            for _ in range(10 << 10):
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def r_disposition(self):
        name = self.q("raw") or ('attachment; filename="%s"' % self.q("name", ""))
        if self.q("rawhex"):  # exact header bytes (send_header writes str as Latin-1)
            name = bytes.fromhex(self.q("rawhex")).decode("latin-1")
        body = content(0, 100)
        self.send_simple(200, body, {"Content-Disposition": name})

    def page_items(self, page):
        return [{"id": page * 10 + i} for i in range(3)]

    def page_fails(self, page):
        return self.qi("failat", 0) == page and count("page:%s:%d" % (self.q("key", ""), page)) == 1

    def next_page(self, route, page, last):
        """The next page's URL, or None after the last. base=URL: next links point there (another
        host). back=K: the last page points back to page K (a loop)."""
        if page >= last:
            if not self.q("back"):
                return None
            page = self.qi("back") - 1
        extra = "".join("&%s=%s" % (k, quote(self.q(k), safe="")) for k in ("base", "back") if self.q(k))
        return "%s%s?page=%d&n=%d&failat=%d&key=%s%s" % (self.q("base", ""), route, page + 1, last,
                                                       self.qi("failat", 0), self.q("key", ""), extra)

    def r_pages_link(self):
        page, last = self.qi("page", 1), self.qi("n", 3)
        if self.page_fails(page):
            self.send_simple(503, b"busy")
            return
        headers = {"Content-Type": "application/json"}
        nxt = self.next_page("/pages/link", page, last)
        if nxt:
            headers["Link"] = '<%s>; rel="next", </pages/link?page=1&n=%d>; rel="first"' % (nxt, last)
        self.send_simple(200, json.dumps({"page": page, "items": self.page_items(page)}).encode(), headers)

    def r_pages_json(self):
        page, last = self.qi("page", 1), self.qi("n", 3)
        if self.page_fails(page):
            self.send_simple(503, b"busy")
            return
        nxt = self.next_page("/pages/json", page, last)
        body = {"page": page, "items": self.page_items(page), "links": {"next": nxt}}
        self.send_simple(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def r_echo(self):
        body = json.dumps({"method": self.command, "headers": {k: v for k, v in self.headers.items()},
                           "body": self.body.decode("utf-8", "replace")}).encode()
        self.send_simple(200, body, {"Content-Type": "application/json"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
