#!/usr/bin/env python3
"""A loopback TCP proxy that adds a fixed delay in each direction, to make loopback servers
look as far away as real MX hosts (the kernel here has no netem), and that puts one server
behind many loopback listeners, so that a sweep sees many distinct targets.

It listens on ADDRESS_COUNT consecutive loopback addresses starting at LISTEN_ADDRESS, on COUNT
consecutive ports starting at LISTEN_PORT each (ADDRESS_COUNT x COUNT listeners), and forwards
every connection to one of the --target endpoints (round robin). Every chunk read is delivered
DELAY_MS later, in order, in both directions; with --delay-ms 0 chunks are forwarded at once.

It binds to loopback addresses only, refuses non-loopback targets, caps listeners and
connections, and exits by itself after --max-seconds (or on SIGTERM / SIGINT). It prints
"ready <listeners>" on stdout once every listener is bound.
"""
import argparse
import asyncio
import ipaddress
import itertools
import resource
import signal
import sys
import time

MAX_LISTENERS = 5000


async def pump_delayed(reader, writer, delay):
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


async def pump_direct(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.write_eof()
    except (ConnectionError, OSError, RuntimeError):
        pass


def endpoint(text):
    host, sep, port = text.rpartition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"not host:port: {text!r}")
    host = host.strip("[]")
    if not ipaddress.ip_address(host).is_loopback:
        raise argparse.ArgumentTypeError(f"the target must be a loopback address: {text!r}")
    return host, int(port)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen-address", default="127.0.0.1",
                    help="first loopback address to listen on (IPv4)")
    ap.add_argument("--address-count", type=int, default=1,
                    help="number of consecutive addresses from --listen-address")
    ap.add_argument("--listen-port", type=int, required=True, help="first port on every address")
    ap.add_argument("--count", type=int, default=1, help="number of consecutive ports per address")
    ap.add_argument("--target", type=endpoint, action="append",
                    help="host:port to forward to (repeat for round robin)")
    ap.add_argument("--target-host", default="127.0.0.1", help="(with --target-port) single target")
    ap.add_argument("--target-port", type=int)
    ap.add_argument("--delay-ms", type=float, default=25.0)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument("--max-connections", type=int, default=20000)
    args = ap.parse_args()

    targets = list(args.target or [])
    if args.target_port:
        try:
            targets.append(endpoint(f"{args.target_host}:{args.target_port}"))
        except (argparse.ArgumentTypeError, ValueError) as e:
            sys.exit(f"delay_proxy: {e}")
    if not targets:
        sys.exit("delay_proxy: give --target host:port (or --target-port)")
    first = ipaddress.IPv4Address(args.listen_address)
    if not 1 <= args.address_count <= 254 or not 1 <= args.count <= MAX_LISTENERS:
        sys.exit("delay_proxy: --address-count must be 1..254 and --count 1..%d" % MAX_LISTENERS)
    if args.address_count * args.count > MAX_LISTENERS:
        sys.exit("delay_proxy: at most %d listeners" % MAX_LISTENERS)
    addresses = [first + i for i in range(args.address_count)]
    if not all(a.is_loopback for a in addresses):
        sys.exit("delay_proxy: every listen address must be a loopback address")
    if not 1 <= args.listen_port or args.listen_port + args.count - 1 > 65535:
        sys.exit("delay_proxy: ports out of range")
    if args.delay_ms < 0:
        sys.exit("delay_proxy: --delay-ms must not be negative")

    # One descriptor per listener and two per proxied connection.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.address_count * args.count + 4096
    if soft != resource.RLIM_INFINITY and soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))

    delay = args.delay_ms / 1000.0
    served = 0
    next_target = itertools.cycle(targets)

    async def handle(client_reader, client_writer):
        nonlocal served
        served += 1
        if served > args.max_connections:
            client_writer.close()
            return
        host, port = next(next_target)
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), timeout=10)
        except (OSError, asyncio.TimeoutError):
            client_writer.close()
            return
        if delay > 0:
            await asyncio.gather(pump_delayed(client_reader, up_writer, delay),
                                 pump_delayed(up_reader, client_writer, delay))
        else:
            await asyncio.gather(pump_direct(client_reader, up_writer),
                                 pump_direct(up_reader, client_writer))
        for w in (client_writer, up_writer):
            try:
                w.close()
            except OSError:
                pass

    servers = []
    for address in addresses:
        for port in range(args.listen_port, args.listen_port + args.count):
            servers.append(await asyncio.start_server(handle, str(address), port, backlog=512))
    print(f"ready {len(servers)}", flush=True)
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
