#!/usr/bin/env python3
"""Loopback-only HTTP forward proxy for the test bed.

Proves that a client honours a proxy setting: every request line it receives is
appended to the request log, and plain-http GET/HEAD/POST requests in absolute
form whose target is a loopback IP literal (127.0.0.0/8 or [::1]) are forwarded.
Everything else (CONNECT, other methods, host names, non-loopback addresses) is
answered 403 and logged, and never leaves the machine: the proxy never resolves
a name.

  GET /healthz (origin form)  200 "ok", not logged (used by the bed's health check)

Log line: <UTC time> <client> "<request line>" <status> <bytes>

Usage: http_proxy.py CONFIG.json
  {"address": "127.0.0.1", "port": 42590, "log": "..."}
"""
import datetime
import http.client
import http.server
import ipaddress
import json
import socketserver
import sys
import threading
import urllib.parse

SOCKET_TIMEOUT = 10          # seconds, client side
UPSTREAM_TIMEOUT = 10        # seconds, upstream side
MAX_BODY = 1024 * 1024       # request body bytes accepted
MAX_RESPONSE = 16 * 1024 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization",
              "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"}

CONFIG = {}
LOG_LOCK = threading.Lock()


def log(line):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with LOG_LOCK:
        with open(CONFIG["log"], "a", encoding="utf-8") as f:
            f.write(f"{stamp} {line}\n")
            f.flush()


def loopback_target(url):
    """(host, port, path) when url is http:// to a loopback IP literal, else None."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "http" or not parts.hostname:
        return None
    try:
        ip = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None  # a name: never resolved
    if not ip.is_loopback:
        return None
    try:
        port = parts.port or 80
    except ValueError:
        return None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return str(ip), port, path


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "TlsToolsBedProxy/1"
    protocol_version = "HTTP/1.0"
    timeout = SOCKET_TIMEOUT

    def log_message(self, fmt, *args):
        pass

    def _reply(self, code, body=b"", ctype="text/plain", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.send_header("X-TlsTools-Bed-Proxy", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _refuse(self, why):
        body = f"refused by the test bed proxy: {why}\n".encode()
        self._reply(403, body)
        log(f'{self.client_address[0]}:{self.client_address[1]} "{self.requestline}" 403 {len(body)}')

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            for _ in range(10000):
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline(1024)
                if len(data) > MAX_BODY:
                    raise ValueError("body too large")
            raise ValueError("too many chunks")
        length = int(self.headers.get("Content-Length", "0") or "0")
        if length > MAX_BODY or length < 0:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _forward(self):
        if self.path == "/healthz" and self.command == "GET":
            self._reply(200, b"ok\n")
            return
        target = loopback_target(self.path)
        if target is None:
            self._refuse("only http:// requests to loopback IP literals are forwarded")
            return
        host, port, path = target
        try:
            body = self._read_body() if self.command == "POST" else None
        except ValueError as e:
            self._refuse(str(e))
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Connection"] = "close"
        try:
            conn = http.client.HTTPConnection(host, port, timeout=UPSTREAM_TIMEOUT)
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read(MAX_RESPONSE + 1)[:MAX_RESPONSE] if self.command != "HEAD" else b""
            out_headers = [(k, v) for k, v in resp.getheaders()
                           if k.lower() not in HOP_BY_HOP and k.lower() not in ("content-length", "content-type")]
            ctype = resp.getheader("Content-Type", "application/octet-stream")
            status = resp.status
            conn.close()
        except (OSError, http.client.HTTPException) as e:
            body = f"upstream error: {e}\n".encode()
            self._reply(502, body)
            log(f'{self.client_address[0]}:{self.client_address[1]} "{self.requestline}" 502 {len(body)}')
            return
        self._reply(status, data, ctype, out_headers)
        log(f'{self.client_address[0]}:{self.client_address[1]} "{self.requestline}" {status} {len(data)}')

    do_GET = _forward
    do_HEAD = _forward
    do_POST = _forward

    def _other(self):
        self._refuse(f"method {self.command} not allowed")

    do_CONNECT = _other
    do_PUT = _other
    do_DELETE = _other
    do_OPTIONS = _other
    do_PATCH = _other
    do_TRACE = _other


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 32


def main():
    global CONFIG
    with open(sys.argv[1], encoding="utf-8") as f:
        CONFIG = json.load(f)
    addr = CONFIG["address"]
    if not ipaddress.ip_address(addr).is_loopback:
        sys.exit(f"refusing to listen on non-loopback address {addr}")
    srv = Server((addr, int(CONFIG["port"])), Handler)
    srv.serve_forever()


if __name__ == "__main__":
    main()
