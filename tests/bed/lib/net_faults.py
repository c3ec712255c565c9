#!/usr/bin/env python3
"""Fault-injecting DNS, HTTP, TLS and SMTP servers of the TlsTools test bed (loopback only).

What no real server of the bed can be made to do, each on its own 127.0.0.1 port (or NET address):

  dns          a DNS server (UDP and TCP) for faults.test whose names misbehave by the label
               before the zone: nxdomain, servfail, refused, silent (never answered), truncated
               (TC over UDP, the answer over TCP), nullmx, mxsilent (MX to a host under silent),
               mxcname (MX to a CNAME), mxip (MX to an IP literal), mx50
               (50 MX records), bigtxt (64 KB MTA-STS TXT), bigtlsa (64 KB TLSA), sts<kind> (MTA-STS
               policy hosts that misbehave), <n>.bulk (null MX, answered after a short delay: the
               most queries outstanding at once is counted)
  silentdns    a DNS server that reads every query and never answers
  http         CRL/OCSP over HTTP gone wrong: /endless.crl, /huge.crl (1 GiB announced, streamed
               until the client stops), /slow.crl (one byte a second), /loop.crl (redirects to
               itself), /scheme.crl (redirects to ftp://), /wrongtype.crl (an HTML page); the same
               names with .ocsp answer POST; /stats (JSON counters), /stats/reset
  resetsmtp    resets every second connection (TCP RST), passes the others to the good SMTP profile
  neverread    accepts the TCP connection and never reads nor writes (closed after 60 s)
  revsmtp      STARTTLS with a leaf whose CRL and OCSP URLs are /slow.crl, /huge.crl and /endless.ocsp
  badsan       TLS (openssl s_server) with a leaf whose subjectAltName is not valid DER
  emptysubject TLS with a leaf whose subject is empty (names in the subjectAltName only)
  manynames    TLS with a leaf of 2000 DNS names
  deepchain    TLS with a chain of 21 certificates (leaf + 20 CAs)
  sts TLS error   NET.67:443 answers every ClientHello with a handshake_failure alert
  sts HTTPS       NET.68:443 serves mta-sts.sts<kind>.faults.test: endless, slow, loop, scheme, type

Certificates are made at start with openssl (signed by the bed's intermediate where a chain is
needed). Every connection is bounded in time. Usage: net_faults.py <config.json>.
"""
import asyncio
import datetime
import json
import os
import socket
import ssl
import struct
import subprocess
import sys

ZONE = "faults.test"
CONNECTION_BUDGET = 60
MAX_CONNECTIONS = 512
HANDSHAKE_FAILURE_ALERT = bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
STS_KINDS = ("endless", "slow", "loop", "scheme", "type", "tlserror")

STATS = {"dnsQueries": 0, "dnsOutstanding": 0, "dnsMaxOutstanding": 0, "bulkQueries": 0,
         "hugeBytesSent": 0, "endlessBytesSent": 0, "resetConnections": 0, "passedConnections": 0,
         "neverReadConnections": 0, "httpRequests": 0}


class Log:
    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8", buffering=1)

    def __call__(self, what, text):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.f.write(f"{now} {what} {text}\n")


# ------------------------------------------------------------------ certificates

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def make_cert(d, name, subject, ext_lines, issuer=None, ca=False):
    """An EC P-256 key and a certificate for it; issuer (cert, key) or self-signed. Returns (cert, key)."""
    key, csr, cert, ext = (f"{d}/{name}.key", f"{d}/{name}.csr", f"{d}/{name}.pem", f"{d}/{name}.ext")
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key, cwd=d)
    lines = list(ext_lines)
    lines.append("basicConstraints=critical,CA:TRUE" if ca else "basicConstraints=CA:FALSE")
    if not ca:
        lines.append("extendedKeyUsage=serverAuth")
    with open(ext, "w", encoding="ascii") as f:
        f.write("[v3]\n" + "\n".join(lines) + "\n")
    openssl("req", "-new", "-key", key, "-subj", subject or "/", "-out", csr, cwd=d)
    sign = ["-CA", issuer[0], "-CAkey", issuer[1]] if issuer else ["-signkey", key]
    openssl("x509", "-req", "-in", csr, *sign, "-days", "60", "-set_serial", str(abs(hash(name)) % 10**12 + 1),
            "-extfile", ext, "-extensions", "v3", "-out", cert, cwd=d)
    return cert, key


def make_certificates(cfg):
    d = cfg["dir"]
    os.makedirs(d, exist_ok=True)
    inter = (cfg["intermediateCert"], cfg["intermediateKey"])
    http = f"http://127.0.0.1:{cfg['ports']['http']}"
    out = {}
    # subjectAltName: a SEQUENCE of 3 bytes holding a dNSName that claims 5
    out["badsan"] = make_cert(d, "badsan", "/CN=badsan.faults.test", ["subjectAltName=DER:3003820561"], inter)
    out["emptysubject"] = make_cert(d, "emptysubject", "", ["subjectAltName=critical,DNS:emptysubject.faults.test"], inter)
    names = ",".join(f"DNS:n{i}.manynames.faults.test" for i in range(2000))
    out["manynames"] = make_cert(d, "manynames", "/CN=n0.manynames.faults.test", [f"subjectAltName={names}"], inter)
    # 20 CAs under a self-signed top, the leaf at the bottom: 21 certificates sent
    issuer = make_cert(d, "deep0", "/CN=Deep CA 0", [], None, ca=True)
    chain = [issuer[0]]
    for i in range(1, 20):
        issuer = make_cert(d, f"deep{i}", f"/CN=Deep CA {i}", [], issuer, ca=True)
        chain.append(issuer[0])
    leaf = make_cert(d, "deepleaf", "/CN=deepchain.faults.test", ["subjectAltName=DNS:deepchain.faults.test"], issuer)
    with open(f"{d}/deepchain-full.pem", "w", encoding="ascii") as f:
        for p in [leaf[0]] + list(reversed(chain)):
            f.write(open(p, encoding="ascii").read())
    out["deepchain"] = (f"{d}/deepchain-full.pem", leaf[1])
    sts_names = ",".join(f"DNS:mta-sts.sts{k}.{ZONE}" for k in STS_KINDS)
    out["sts"] = make_cert(d, "sts", f"/CN=mta-sts.stsendless.{ZONE}", [f"subjectAltName={sts_names}"], inter)
    out["revsmtp"] = make_cert(d, "revsmtp", "/CN=revsmtp.faults.test", [
        "subjectAltName=DNS:revsmtp.faults.test",
        f"crlDistributionPoints=URI:{http}/slow.crl,URI:{http}/huge.crl",
        f"authorityInfoAccess=OCSP;URI:{http}/endless.ocsp"], inter)
    for k in ("emptysubject", "manynames", "sts", "revsmtp", "badsan"):
        cert, key = out[k]
        full = f"{d}/{k}-full.pem"
        with open(full, "w", encoding="ascii") as f:
            f.write(open(cert, encoding="ascii").read() + open(cfg["intermediateCert"], encoding="ascii").read())
        out[k] = (full, key)
    return out


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    return ctx


# ------------------------------------------------------------------ DNS

def encode_name(name):
    out = b""
    for label in filter(None, name.strip(".").split(".")):
        raw = label.encode("ascii")
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def rr(owner, rtype, ttl, rdata):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


A, CNAME, MX, TXT, AAAA, TLSA = 1, 5, 15, 16, 28, 52


class Dns:
    def __init__(self, cfg, log):
        self.net = cfg["net"]
        self.good = cfg["smtpAddress"]
        self.log = log

    def parse(self, data):
        if len(data) < 17:
            return None
        qid, flags, qd = struct.unpack(">HHH", data[:6])
        if qd != 1:
            return None
        pos, labels = 12, []
        while pos < len(data) and data[pos] != 0:
            n = data[pos]
            if n > 63 or pos + 1 + n > len(data):
                return None
            labels.append(data[pos + 1:pos + 1 + n].decode("ascii", "replace").lower())
            pos += 1 + n
        pos += 1
        if pos + 4 > len(data):
            return None
        qtype, _ = struct.unpack(">HH", data[pos:pos + 4])
        return qid, flags, ".".join(labels), qtype, data[12:pos + 4]

    def answer(self, name, qtype, tcp):
        """(rcode, answers, truncated) or None for silence."""
        z = "." + ZONE
        if not (name == ZONE or name.endswith(z)):
            return 5, [], False
        rel = name[:-len(z)] if name != ZONE else ""
        parts = rel.split(".") if rel else []
        top = parts[-1] if parts else ""
        me = b"\xc0\x0c"
        if top == "silent":
            return None
        if top == "nxdomain":
            return 3, [], False
        if top == "servfail":
            return 2, [], False
        if top == "refused":
            return 5, [], False
        big = top in ("truncated", "bigtxt", "bigtlsa")
        if big and not tcp:
            return 0, [], True
        ans = []
        host_a = lambda: [rr(me, A, 60, socket.inet_aton(self.good))]
        if qtype == MX and len(parts) == 1:
            if top == "nullmx" or top == "bulk":
                ans.append(rr(me, MX, 60, struct.pack(">H", 0) + b"\x00"))
            elif top == "mxsilent":
                ans.append(rr(me, MX, 60, struct.pack(">H", 10) + encode_name(f"host.silent.{ZONE}")))
            elif top == "mxcname":
                ans.append(rr(me, MX, 60, struct.pack(">H", 10) + encode_name(f"alias.{name}")))
            elif top == "mxip":
                ans.append(rr(me, MX, 60, struct.pack(">H", 10) + encode_name(self.good)))
            elif top == "mx50":
                for i in range(50):
                    ans.append(rr(me, MX, 60, struct.pack(">H", i) + encode_name(f"mx{i}.{name}")))
            else:
                ans.append(rr(me, MX, 60, struct.pack(">H", 10) + encode_name(f"mx.{name}")))
            return 0, ans, False
        if qtype == MX and len(parts) == 2 and parts[1] == "bulk":
            return 0, [rr(me, MX, 60, struct.pack(">H", 0) + b"\x00")], False
        if parts and parts[0] == "alias" and top == "mxcname" and qtype in (A, CNAME):
            target = encode_name(f"mx.{top}{z}")
            ans.append(rr(me, CNAME, 60, target))
            if qtype == A:
                ans.append(rr(target, A, 60, socket.inet_aton(self.good)))
            return 0, ans, False
        if parts and parts[0] == "mta-sts" and top.startswith("sts") and qtype == A:
            last = 67 if top == "ststlserror" else 68
            return 0, [rr(me, A, 60, socket.inet_aton(f"{self.net}.{last}"))], False
        if parts and parts[0] == "_mta-sts" and qtype == TXT:
            if top == "bigtxt":
                chunk = b"v=STSv1; id=" + b"x" * 243
                for _ in range(240):
                    ans.append(rr(me, TXT, 60, bytes([len(chunk)]) + chunk))
                return 0, ans, False
            if top.startswith("sts"):
                txt = b"v=STSv1; id=fault1;"
                return 0, [rr(me, TXT, 60, bytes([len(txt)]) + txt)], False
            return 0, [], False
        if len(parts) > 2 and parts[0].startswith("_") and parts[1] == "_tcp" and top == "bigtlsa" and qtype == TLSA:
            for i in range(200):
                ans.append(rr(me, TLSA, 60, bytes([3, 0, 0]) + bytes([i % 256]) * 300))
            return 0, ans, False
        if qtype == A and parts and parts[0].startswith("mx"):
            return 0, host_a(), False
        if qtype == A and top in ("good",):
            return 0, host_a(), False
        return 0, [], False

    def respond(self, data, tcp):
        q = self.parse(data)
        if q is None:
            return None
        qid, flags, name, qtype, question = q
        STATS["dnsQueries"] += 1
        result = self.answer(name, qtype, tcp)
        if result is None:
            self.log("dns", f"{'tcp' if tcp else 'udp'} {name} {qtype}: silent")
            return None
        rcode, answers, truncated = result
        rflags = 0x8000 | 0x0400 | (flags & 0x0100) | (0x0200 if truncated else 0) | rcode
        msg = struct.pack(">HHHHHH", qid, rflags, 1, len(answers), 0, 0) + question + b"".join(answers)
        if len(msg) > 65535:
            msg = msg[:65535]
        self.log("dns", f"{'tcp' if tcp else 'udp'} {name} {qtype}: rcode {rcode}, {len(answers)} answers{' TC' if truncated else ''}")
        return msg

    def is_bulk(self, data):
        q = self.parse(data)
        return q is not None and q[2].endswith(".bulk." + ZONE)


class DnsUdp(asyncio.DatagramProtocol):
    def __init__(self, dns, silent=False):
        self.dns, self.silent = dns, silent

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        if self.silent:
            return
        if self.dns.is_bulk(data):
            # answered a little later, so that how many are outstanding at once can be seen
            STATS["bulkQueries"] += 1
            STATS["dnsOutstanding"] += 1
            STATS["dnsMaxOutstanding"] = max(STATS["dnsMaxOutstanding"], STATS["dnsOutstanding"])

            def later():
                STATS["dnsOutstanding"] -= 1
                msg = self.dns.respond(data, False)
                if msg:
                    self.transport.sendto(msg, addr)
            asyncio.get_running_loop().call_later(0.005, later)
            return
        msg = self.dns.respond(data, False)
        if msg:
            self.transport.sendto(msg, addr)


async def dns_tcp(dns, silent, reader, writer):
    try:
        while True:
            head = await asyncio.wait_for(reader.readexactly(2), 10)
            (n,) = struct.unpack(">H", head)
            data = await asyncio.wait_for(reader.readexactly(n), 10)
            if silent:
                continue
            msg = dns.respond(data, True)
            if msg is None:
                continue
            writer.write(struct.pack(">H", len(msg)) + msg)
            await writer.drain()
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError):
        pass
    finally:
        writer.close()


# ------------------------------------------------------------------ HTTP

async def read_request(reader):
    line = await asyncio.wait_for(reader.readline(), 10)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    headers = {}
    for _ in range(100):
        h = await asyncio.wait_for(reader.readline(), 10)
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    n = min(int(headers.get("content-length", "0") or 0), 65536)
    if n:
        await asyncio.wait_for(reader.readexactly(n), 10)
    return (parts[0] if parts else "GET"), (parts[1] if len(parts) > 1 else "/"), headers


async def send_head(writer, status, headers):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "Connection: close\r\n\r\n"
    writer.write(head.encode("latin-1"))
    await writer.drain()


ENDLESS_CAP = 256 << 20   # an endless body ends here all the same (a client that never stops)


def peer_gone(reader, writer):
    return writer.is_closing() or writer.transport.is_closing() or reader.at_eof()


async def push(writer, chunk):
    """Writes one chunk and always yields: over TLS, drain() may not wait for the peer, and a
    loop that never yields would stall every other fault of this process."""
    writer.write(chunk)
    await writer.drain()
    if writer.transport.get_write_buffer_size() > (1 << 20):
        await asyncio.sleep(0.01)
    else:
        await asyncio.sleep(0)


async def http_fault(kind, reader, writer, log, mime, self_url, log_name):
    """Answers one request with the fault `kind` (endless, huge, slow, loop, scheme, wrongtype/type)."""
    if kind == "endless":
        await send_head(writer, "200 OK", {"Content-Type": mime})
        chunk = b"\x30" * 65536
        sent = 0
        try:
            while not peer_gone(reader, writer) and sent < ENDLESS_CAP:
                await push(writer, chunk)
                sent += len(chunk)
                STATS["endlessBytesSent"] += len(chunk)
        finally:
            log(log_name, f"endless: sent {sent} bytes")
    elif kind == "huge":
        total = 1 << 30
        await send_head(writer, "200 OK", {"Content-Type": mime, "Content-Length": str(total)})
        chunk = b"\x00" * 65536
        sent = 0
        try:
            writer.write(b"\x30\x84\x3f\xff\xff\xfa")
            while sent < total - 6 and not peer_gone(reader, writer):
                await push(writer, chunk)
                sent += len(chunk)
                STATS["hugeBytesSent"] += len(chunk)
        finally:
            log(log_name, f"huge: sent {sent} bytes")
    elif kind == "slow":
        await send_head(writer, "200 OK", {"Content-Type": mime, "Content-Length": "600"})
        for _ in range(600):
            if peer_gone(reader, writer):
                break
            writer.write(b"\x30")
            await writer.drain()
            await asyncio.sleep(1)
    elif kind == "loop":
        await send_head(writer, "302 Found", {"Location": self_url, "Content-Length": "0"})
    elif kind == "scheme":
        await send_head(writer, "302 Found", {"Location": "ftp://127.0.0.1/fault.crl", "Content-Length": "0"})
    else:
        body = b"<html><body>Not what you asked for</body></html>"
        await send_head(writer, "200 OK", {"Content-Type": "text/html", "Content-Length": str(len(body))})
        writer.write(body)
        await writer.drain()


async def http_handler(cfg, log, reader, writer):
    try:
        req = await read_request(reader)
        if req is None:
            return
        method, path, _ = req
        STATS["httpRequests"] += 1
        log("http", f"{method} {path}")
        if path == "/stats":
            body = json.dumps(STATS).encode()
            await send_head(writer, "200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))})
            writer.write(body)
            await writer.drain()
            return
        if path == "/stats/reset":
            for k in STATS:
                STATS[k] = 0
            await send_head(writer, "204 No Content", {})
            return
        name, _, ext = path.split("?")[0].lstrip("/").partition(".")
        mime = "application/ocsp-response" if ext == "ocsp" else "application/pkix-crl"
        if name in ("endless", "huge", "slow", "loop", "scheme", "wrongtype") and ext in ("crl", "ocsp"):
            url = f"http://127.0.0.1:{cfg['ports']['http']}{path}"
            await asyncio.wait_for(http_fault(name, reader, writer, log, mime, url, "http"), CONNECTION_BUDGET)
            return
        await send_head(writer, "404 Not Found", {"Content-Length": "0"})
    except (asyncio.TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError, ValueError, ssl.SSLError):
        pass
    finally:
        try:
            writer.close()
        except (OSError, RuntimeError):
            pass


async def sts_https_handler(log, reader, writer):
    try:
        req = await read_request(reader)
        if req is None:
            return
        _, path, headers = req
        host = headers.get("host", "").split(":")[0].lower()
        kind = host.split(".")[1][3:] if host.count(".") >= 2 else ""
        log("sts", f"GET https://{host}{path} ({kind})")
        mime = "text/plain"
        if kind in ("endless", "slow", "loop", "scheme", "type"):
            await asyncio.wait_for(http_fault(kind, reader, writer, log, mime, f"https://{host}{path}", "sts"), CONNECTION_BUDGET)
            return
        await send_head(writer, "404 Not Found", {"Content-Length": "0"})
    except (asyncio.TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError, ValueError, ssl.SSLError):
        pass
    finally:
        try:
            writer.close()
        except (OSError, RuntimeError):
            pass


async def tls_alert_handler(log, reader, writer):
    try:
        hello = await asyncio.wait_for(reader.read(4096), 10)
        log("ststlserror", f"ClientHello of {len(hello)} bytes; handshake_failure alert")
        writer.write(HANDSHAKE_FAILURE_ALERT)
        await writer.drain()
    except (asyncio.TimeoutError, ConnectionError, OSError):
        pass
    finally:
        writer.close()


# ------------------------------------------------------------------ SMTP and TLS

class Counter:
    n = 0


async def reset_handler(cfg, log, counter, reader, writer):
    counter.n += 1
    sock = writer.get_extra_info("socket")
    if counter.n % 2 == 1:
        STATS["resetConnections"] += 1
        log("resetsmtp", f"connection {counter.n}: reset")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return
    STATS["passedConnections"] += 1
    log("resetsmtp", f"connection {counter.n}: passed to the good profile")
    try:
        ur, uw = await asyncio.wait_for(asyncio.open_connection(cfg["goodSmtp"]["host"], cfg["goodSmtp"]["port"]), 5)
    except (OSError, asyncio.TimeoutError):
        writer.close()
        return

    async def pump(r, w):
        try:
            while True:
                data = await r.read(65536)
                if not data or w.is_closing():
                    break
                w.write(data)
                await w.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                w.close()
            except (OSError, RuntimeError):
                pass
    try:
        await asyncio.wait_for(asyncio.gather(pump(reader, uw), pump(ur, writer)), CONNECTION_BUDGET)
    except asyncio.TimeoutError:
        pass


async def never_read_handler(log, reader, writer):
    STATS["neverReadConnections"] += 1
    log("neverread", "connected; never reading")
    try:
        await asyncio.sleep(CONNECTION_BUDGET)
    finally:
        writer.transport.abort()


async def rev_smtp_handler(ctx, log, reader, writer):
    async def send(line):
        writer.write(line.encode("ascii") + b"\r\n")
        await writer.drain()
    try:
        await send("220 revsmtp.faults.test ESMTP TlsTools test bed fault (revsmtp)")
        in_tls = False
        for _ in range(20):
            line = await asyncio.wait_for(reader.readline(), 30)
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                caps = ["revsmtp.faults.test", "PIPELINING"] + ([] if in_tls else ["STARTTLS"])
                for i, c in enumerate(caps):
                    await send(f"250{'-' if i < len(caps) - 1 else ' '}{c}")
            elif verb == "STARTTLS" and not in_tls:
                await send("220 2.0.0 Ready to start TLS")
                await writer.start_tls(ctx)
                in_tls = True
            elif verb == "QUIT":
                await send("221 2.0.0 Bye")
                return
            else:
                await send("502 5.5.2 Command not recognized")
    except (asyncio.TimeoutError, ConnectionError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            writer.close()
        except (OSError, RuntimeError):
            pass


async def tls_hold_handler(reader, writer):
    """TLS on connect (the context is the server's): reads a little and closes."""
    try:
        await asyncio.wait_for(reader.read(1024), 10)
    except (asyncio.TimeoutError, ConnectionError, OSError, ssl.SSLError):
        pass
    finally:
        try:
            writer.close()
        except (OSError, RuntimeError):
            pass


def bounded(handler):
    open_now = [0]

    async def run(reader, writer):
        if open_now[0] >= MAX_CONNECTIONS:
            writer.transport.abort()
            return
        open_now[0] += 1
        try:
            await handler(reader, writer)
        except Exception:  # one connection's failure never ends the server
            pass
        finally:
            open_now[0] -= 1
    return run


async def main(path):
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
    for a in (cfg["address"], cfg["net"] + ".1"):
        if not a.startswith("127."):
            raise SystemExit("net_faults.py listens on 127.0.0.0/8 only")
    log = Log(cfg["log"])
    certs = make_certificates(cfg)
    p = cfg["ports"]
    addr = cfg["address"]
    loop = asyncio.get_running_loop()
    dns = Dns(cfg, log)
    await loop.create_datagram_endpoint(lambda: DnsUdp(dns), local_addr=(addr, p["dns"]))
    await loop.create_datagram_endpoint(lambda: DnsUdp(dns, silent=True), local_addr=(addr, p["silentdns"]))
    servers = [
        await asyncio.start_server(bounded(lambda r, w: dns_tcp(dns, False, r, w)), addr, p["dns"], reuse_address=True),
        await asyncio.start_server(bounded(lambda r, w: dns_tcp(dns, True, r, w)), addr, p["silentdns"], reuse_address=True),
        await asyncio.start_server(bounded(lambda r, w: http_handler(cfg, log, r, w)), addr, p["http"], reuse_address=True),
    ]
    counter = Counter()
    servers.append(await asyncio.start_server(bounded(lambda r, w: reset_handler(cfg, log, counter, r, w)),
                                              addr, p["resetsmtp"], reuse_address=True))
    servers.append(await asyncio.start_server(bounded(lambda r, w: never_read_handler(log, r, w)),
                                              addr, p["neverread"], reuse_address=True, backlog=1024))
    rev_ctx = tls_context(*certs["revsmtp"])
    servers.append(await asyncio.start_server(bounded(lambda r, w: rev_smtp_handler(rev_ctx, log, r, w)),
                                              addr, p["revsmtp"], reuse_address=True))
    for name in ("emptysubject", "manynames", "deepchain"):
        servers.append(await asyncio.start_server(bounded(tls_hold_handler), addr, p[name],
                                                  ssl=tls_context(*certs[name]), reuse_address=True))
    sts_ctx = tls_context(*certs["sts"])
    servers.append(await asyncio.start_server(bounded(lambda r, w: sts_https_handler(log, r, w)),
                                              f"{cfg['net']}.68", 443, ssl=sts_ctx, reuse_address=True))
    servers.append(await asyncio.start_server(bounded(lambda r, w: tls_alert_handler(log, r, w)),
                                              f"{cfg['net']}.67", 443, reuse_address=True))
    # Python's OpenSSL refuses to load a leaf whose subjectAltName is not DER; openssl s_server does not.
    badsan = subprocess.Popen(["openssl", "s_server", "-quiet", "-accept", f"{addr}:{p['badsan']}",
                               "-cert", certs["badsan"][0], "-cert_chain", cfg["intermediateCert"],
                               "-key", certs["badsan"][1], "-www"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log("-", f"listening; badsan s_server pid {badsan.pid}")
    try:
        await asyncio.gather(*(s.serve_forever() for s in servers))
    finally:
        badsan.terminate()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        pass
