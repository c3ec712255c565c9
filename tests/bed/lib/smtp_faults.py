#!/usr/bin/env python3
"""Fault-injecting SMTP servers of the TlsTools test bed (loopback only).

Each fault listens on its own 127.0.0.1 port and misbehaves in one way that Postfix cannot be
configured to show:

  ehloreject     220 greeting, EHLO answered 502 (HELO works): a server without ESMTP
  ehlo421        220 greeting, EHLO answered 421 and the connection closed
  tlsfail        offers STARTTLS and agrees, then answers every TLS ClientHello with a fatal
                 handshake_failure alert (both the modern and the legacy attempt fail)
  starttlsagain  a real TLS session with a bed certificate, but EHLO over TLS advertises
                 STARTTLS again (RFC 3207 section 4.2 forbids it)

It never accepts mail: MAIL, RCPT and DATA get 503 and are logged. Every connection is bounded
(lines, commands, bytes, time). Usage: smtp_faults.py <config.json> with
{"address": "127.0.0.1", "ports": {<fault>: port}, "certChain": ..., "key": ..., "log": ...}.
"""
import asyncio
import datetime
import json
import ssl
import sys

MAX_LINE = 1024          # bytes per command line
MAX_COMMANDS = 20        # commands per connection
CONNECTION_BUDGET = 30   # seconds per connection
MAX_CONNECTIONS = 64     # open at once, over all faults

# TLS record: alert, TLS 1.2, length 2, fatal (2), handshake_failure (40)
HANDSHAKE_FAILURE_ALERT = bytes([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])

HOST = "faults.bed.test"


class Server:
    def __init__(self, cfg):
        self.cfg = cfg
        self.log_file = open(cfg["log"], "a", encoding="utf-8", buffering=1)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.minimum_version = ssl.TLSVersion.TLSv1_2
        self.tls.load_cert_chain(cfg["certChain"], cfg["key"])
        self.open = 0

    def log(self, fault, peer, text):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.log_file.write(f"{now} {fault} {peer} {text}\n")

    async def handle(self, fault, reader, writer):
        peer = writer.get_extra_info("peername")
        peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        if self.open >= MAX_CONNECTIONS:
            writer.close()
            return
        self.open += 1
        try:
            await asyncio.wait_for(self.dialog(fault, peer, reader, writer), CONNECTION_BUDGET)
        except (asyncio.TimeoutError, ConnectionError, ssl.SSLError, OSError, asyncio.IncompleteReadError) as e:
            self.log(fault, peer, f"ended: {type(e).__name__}")
        finally:
            self.open -= 1
            try:
                writer.close()
            except (OSError, RuntimeError):
                pass

    async def send(self, fault, peer, writer, line):
        self.log(fault, peer, f"S: {line}")
        writer.write(line.encode("ascii") + b"\r\n")
        await writer.drain()

    async def read_command(self, fault, peer, reader):
        line = await reader.readline()
        if not line:
            return None
        line = line[:MAX_LINE].decode("ascii", "replace").rstrip("\r\n")
        self.log(fault, peer, f"C: {line}")
        return line

    async def dialog(self, fault, peer, reader, writer):
        self.log(fault, peer, "connected")
        await self.send(fault, peer, writer, f"220 {fault}.{HOST} ESMTP TlsTools test bed fault ({fault})")
        in_tls = False
        for _ in range(MAX_COMMANDS):
            line = await self.read_command(fault, peer, reader)
            if line is None:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb == "QUIT":
                await self.send(fault, peer, writer, "221 2.0.0 Bye")
                return
            if verb in ("MAIL", "RCPT", "DATA"):
                await self.send(fault, peer, writer, "503 5.5.1 The test bed accepts no mail")
                continue
            if fault == "ehlo421" and verb in ("EHLO", "HELO"):
                await self.send(fault, peer, writer,
                                f"421 4.3.2 {fault}.{HOST} Service not available, closing transmission channel "
                                "(test bed fault ehlo421)")
                return
            if fault == "ehloreject" and verb == "EHLO":
                await self.send(fault, peer, writer, "502 5.5.2 Command not recognized (test bed fault ehloreject)")
                continue
            if verb == "HELO":
                await self.send(fault, peer, writer, f"250 {fault}.{HOST}")
                continue
            if verb == "EHLO":
                caps = ["PIPELINING", "SIZE 10240000", "8BITMIME"]
                if not in_tls or fault == "starttlsagain":
                    caps.insert(0, "STARTTLS")
                lines = [f"{fault}.{HOST}"] + caps
                for i, c in enumerate(lines):
                    await self.send(fault, peer, writer, f"250{'-' if i < len(lines) - 1 else ' '}{c}")
                continue
            if verb == "STARTTLS":
                if in_tls:
                    await self.send(fault, peer, writer, "503 5.5.1 TLS already active")
                    continue
                await self.send(fault, peer, writer, "220 2.0.0 Ready to start TLS")
                if fault == "tlsfail":
                    # read (some of) the ClientHello, then refuse it the way a server without a
                    # common protocol or suite does
                    hello = await reader.read(4096)
                    self.log(fault, peer, f"ClientHello of {len(hello)} bytes; sending handshake_failure alert")
                    writer.write(HANDSHAKE_FAILURE_ALERT)
                    await writer.drain()
                    return
                await writer.start_tls(self.tls)
                in_tls = True
                tls_obj = writer.get_extra_info("ssl_object")
                self.log(fault, peer, f"TLS {tls_obj.version() if tls_obj else '?'}")
                continue
            if verb in ("RSET", "NOOP"):
                await self.send(fault, peer, writer, "250 2.0.0 Ok")
                continue
            await self.send(fault, peer, writer, "502 5.5.2 Command not recognized")
        await self.send(fault, peer, writer, "421 4.7.0 Too many commands")


async def main(path):
    with open(path, encoding="utf-8") as f:
        cfg = json.load(f)
    if not cfg["address"].startswith("127."):
        raise SystemExit("smtp_faults.py listens on 127.0.0.0/8 only")
    srv = Server(cfg)
    servers = []
    for fault, port in cfg["ports"].items():
        servers.append(await asyncio.start_server(
            lambda r, w, fault=fault: srv.handle(fault, r, w), cfg["address"], port, reuse_address=True))
        srv.log(fault, "-", f"listening on {cfg['address']}:{port}")
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        pass
