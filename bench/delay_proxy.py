#!/usr/bin/env python3
"""A loopback TCP proxy that adds a fixed delay in each direction, to make loopback servers
look as far away as real MX hosts (the kernel here has no netem).

It listens on COUNT consecutive ports of 127.0.0.1 starting at LISTEN_PORT and forwards every
connection to TARGET_HOST:TARGET_PORT. Every chunk read is delivered DELAY_MS later, in order,
in both directions. It binds to loopback only, refuses non-loopback targets, caps connections,
and exits by itself after --max-seconds.
"""
import argparse
import asyncio
import ipaddress
import signal
import sys
import time


async def pump(reader, writer, delay):
    queue = asyncio.Queue(maxsize=1024)

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass

    task = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await queue.put((time.monotonic() + delay, data))
    except (ConnectionError, OSError):
        pass
    await queue.put((0, None))
    try:
        await task
    except (ConnectionError, OSError):
        pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen-port", type=int, required=True)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--target-host", default="127.0.0.1")
    ap.add_argument("--target-port", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, default=25.0)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--max-connections", type=int, default=5000)
    args = ap.parse_args()
    if not ipaddress.ip_address(args.target_host).is_loopback:
        sys.exit("delay_proxy: the target must be a loopback address")
    if not 1 <= args.count <= 1000:
        sys.exit("delay_proxy: --count must be 1..1000")
    delay = args.delay_ms / 1000.0
    served = 0

    async def handle(client_reader, client_writer):
        nonlocal served
        served += 1
        if served > args.max_connections:
            client_writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(args.target_host, args.target_port), timeout=10)
        except (OSError, asyncio.TimeoutError):
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, up_writer, delay), pump(up_reader, client_writer, delay))
        for w in (client_writer, up_writer):
            try:
                w.close()
            except OSError:
                pass

    servers = []
    for port in range(args.listen_port, args.listen_port + args.count):
        servers.append(await asyncio.start_server(handle, "127.0.0.1", port, backlog=256))
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.max_seconds)
    except asyncio.TimeoutError:
        pass
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
