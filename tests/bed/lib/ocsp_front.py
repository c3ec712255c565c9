#!/usr/bin/env python3
"""Loopback-only HTTP front end for `openssl ocsp`.

OpenSSL 3.0's own responder (`openssl ocsp -port N`) binds every address, so the
test bed listens here on 127.0.0.1 only and runs `openssl ocsp` once per request:
OpenSSL still computes every answer from the CA's index file.

Routes (the first path segment picks the CA):
  POST /<route>            body = DER OCSPRequest (RFC 6960 A.1)
  GET  /<route>/<base64>   URL-encoded base64 of the DER request (RFC 6960 A.1)
  POST / , GET /<base64>   use the default route
  GET  /healthz            200 "ok" (not logged)
The answer is the DER OCSPResponse with content type application/ocsp-response.

Usage: ocsp_front.py CONFIG.json
  {"address": "127.0.0.1", "port": 42588, "default": "intermediate",
   "routes": {"intermediate": {"index": ..., "ca": ..., "rsigner": ..., "rkey": ...}, ...},
   "tmpDir": ..., "log": ..., "openssl": "openssl", "ndays": 1}
"""
import base64
import binascii
import datetime
import http.server
import ipaddress
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import urllib.parse

MAX_REQUEST = 64 * 1024        # bytes of DER request accepted
OPENSSL_TIMEOUT = 10           # seconds for one `openssl ocsp` run
SOCKET_TIMEOUT = 10            # seconds of silence before a client is dropped
MAX_CONCURRENT = 8             # simultaneous `openssl ocsp` runs

CONFIG = {}
LOG_LOCK = threading.Lock()
SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)


def log(line):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with LOG_LOCK:
        with open(CONFIG["log"], "a", encoding="utf-8") as f:
            f.write(f"{stamp} {line}\n")


def run_openssl(route, der):
    r = CONFIG["routes"][route]
    fd_in, req_path = tempfile.mkstemp(prefix="req-", suffix=".der", dir=CONFIG["tmpDir"])
    fd_out, resp_path = tempfile.mkstemp(prefix="resp-", suffix=".der", dir=CONFIG["tmpDir"])
    os.close(fd_out)
    try:
        with os.fdopen(fd_in, "wb") as f:
            f.write(der)
        cmd = [CONFIG.get("openssl", "openssl"), "ocsp",
               "-index", r["index"], "-CA", r["ca"],
               "-rsigner", r["rsigner"], "-rkey", r["rkey"],
               "-reqin", req_path, "-respout", resp_path,
               "-ndays", str(CONFIG.get("ndays", 1))]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=OPENSSL_TIMEOUT)
        with open(resp_path, "rb") as f:
            resp = f.read()
        return p.returncode, resp, p.stdout.decode("utf-8", "replace").strip()
    finally:
        for path in (req_path, resp_path):
            try:
                os.unlink(path)
            except OSError:
                pass


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "TlsToolsBedOCSP/1"
    protocol_version = "HTTP/1.0"
    timeout = SOCKET_TIMEOUT

    def log_message(self, fmt, *args):  # replaced by log() lines
        pass

    def _send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _split(self):
        path = urllib.parse.urlsplit(self.path).path
        parts = path.lstrip("/").split("/", 1)
        if parts[0] in CONFIG["routes"]:
            return parts[0], (parts[1] if len(parts) > 1 else "")
        return CONFIG["default"], path.lstrip("/")

    def _answer(self, route, der):
        if not der:
            self._send(400, b"empty OCSP request\n", "text/plain")
            log(f'{self.client_address[0]} "{self.requestline}" 400 empty')
            return
        if not SLOTS.acquire(timeout=OPENSSL_TIMEOUT):
            self._send(503, b"busy\n", "text/plain")
            log(f'{self.client_address[0]} "{self.requestline}" 503 busy')
            return
        try:
            rc, resp, out = run_openssl(route, der)
        except subprocess.TimeoutExpired:
            rc, resp, out = -1, b"", "openssl timed out"
        finally:
            SLOTS.release()
        if rc == 0 and resp:
            self._send(200, resp, "application/ocsp-response")
            log(f'{self.client_address[0]} "{self.requestline}" 200 route={route} bytes={len(resp)}')
        else:
            self._send(400, b"openssl ocsp could not answer this request\n", "text/plain")
            log(f'{self.client_address[0]} "{self.requestline}" 400 route={route} rc={rc} {out!r}')

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path == "/healthz":
            self._send(200, b"ok\n", "text/plain")
            return
        route, rest = self._split()
        raw = urllib.parse.unquote(rest).strip()
        if len(raw) > MAX_REQUEST * 2:
            self._send(414, b"request too large\n", "text/plain")
            return
        try:
            der = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_" if ("-" in raw or "_" in raw) else None, validate=False)
        except (binascii.Error, ValueError):
            self._send(400, b"bad base64\n", "text/plain")
            log(f'{self.client_address[0]} "{self.requestline}" 400 bad-base64')
            return
        self._answer(route, der)

    do_HEAD = do_GET

    def do_POST(self):
        route, _ = self._split()
        try:
            length = int(self.headers.get("Content-Length", "-1"))
        except ValueError:
            length = -1
        if length < 0:
            self._send(411, b"Content-Length required\n", "text/plain")
            return
        if length > MAX_REQUEST:
            self._send(413, b"request too large\n", "text/plain")
            return
        der = self.rfile.read(length)
        self._answer(route, der)


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
    os.makedirs(CONFIG["tmpDir"], exist_ok=True)
    srv = Server((addr, int(CONFIG["port"])), Handler)
    log(f"listening on {addr}:{CONFIG['port']}")
    srv.serve_forever()


if __name__ == "__main__":
    main()
