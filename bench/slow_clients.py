#!/usr/bin/env python3
"""Slow clients and an outside probe against `gpsi serve` (bench/RESULTS.md, issue 16).

Opens SLOW connections that each send the start of a request and then one more header line every
INTERVAL seconds, never finishing it (a "slowloris"), from the source address --slow-from. While they
are open, a probe from --probe-from sends PROBES normal requests, one at a time on a new connection,
and reports the latency of each answer: p50, p99, max and how many timed out (no full answer within
--timeout). With --slow 0 it is a bare probe, as bench/flood.sh runs it during a wrk flood.

Loopback has the whole 127.0.0.0/8, so slow clients and the probe can come from different addresses,
as two clients on the internet would (the server limits connections per client address).
"""
import argparse
import asyncio
import resource
import statistics
import sys
import time


async def slow_client(host, port, source, interval, stop, stats):
    try:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    except OSError:
        stats["refused"] += 1
        return
    stats["opened"] += 1
    got = b""
    try:
        writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        await writer.drain()
        n, next_line = 0, time.monotonic() + interval
        while not stop.is_set():
            try:  # a quarter-second look for the server's answer or close, then maybe one more line
                data = await asyncio.wait_for(reader.read(64), 0.25)
                if not data:
                    break
                got += data
                continue
            except asyncio.TimeoutError:
                pass
            if time.monotonic() >= next_line:
                writer.write(b"X-Slow-%d: still here\r\n" % n)
                await writer.drain()
                n, next_line = n + 1, next_line + interval
    except (OSError, ConnectionError):
        pass
    # The server closed it before the end (a deadline, a limit), or the run is over.
    if not stop.is_set():
        stats["closed_by_server"] += 1
        if got.startswith(b"HTTP/1.1 503"):
            stats["busy"] += 1
    writer.close()


async def probe_once(host, port, source, path, timeout):
    start = time.perf_counter()

    async def one():
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
        writer.write(f"GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await reader.read()  # to EOF: the whole answer (Connection: close)
        writer.close()
        return data

    try:
        data = await asyncio.wait_for(one(), timeout)
    except (asyncio.TimeoutError, OSError):
        return None
    if not data.startswith(b"HTTP/1.1 200"):
        return None
    return (time.perf_counter() - start) * 1000.0


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--slow", type=int, default=1000, help="slow connections to hold open")
    ap.add_argument("--slow-from", default="127.0.0.2", help="source address of the slow clients")
    ap.add_argument("--interval", type=float, default=3.0, help="seconds between a slow client's lines")
    ap.add_argument("--probes", type=int, default=100, help="normal requests to time")
    ap.add_argument("--probe-from", default="127.0.0.1", help="source address of the probe")
    ap.add_argument("--probe-gap", type=float, default=0.02, help="seconds between probes")
    ap.add_argument("--path", default="/api/v1/health")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds before a probe counts as timed out")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds between opening the slow clients and probing")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    stop = asyncio.Event()
    stats = {"opened": 0, "refused": 0, "closed_by_server": 0, "busy": 0}
    slow = []
    for _ in range(a.slow):
        slow.append(asyncio.create_task(slow_client(a.host, a.port, a.slow_from, a.interval, stop, stats)))
        await asyncio.sleep(0.001)  # a ramp, not one SYN burst
    await asyncio.sleep(a.settle if a.slow else 0)
    open_at_start = stats["opened"] - stats["closed_by_server"]

    times, timeouts = [], 0
    for _ in range(a.probes):
        t = await probe_once(a.host, a.port, a.probe_from, a.path, a.timeout)
        if t is None:
            timeouts += 1
        else:
            times.append(t)
        await asyncio.sleep(a.probe_gap)
    open_at_end = stats["opened"] - stats["closed_by_server"]
    stop.set()
    await asyncio.gather(*slow, return_exceptions=True)

    if a.slow:
        print(f"slow clients: {a.slow} from {a.slow_from}; connected {stats['opened']}, refused {stats['refused']}; "
              f"open when the probe began {open_at_start}, when it ended {open_at_end}; "
              f"closed by the server {stats['closed_by_server']} (with 503 busy: {stats['busy']})")
    if times:
        print(f"probe {a.path} from {a.probe_from}: {len(times)} answered, {timeouts} timed out (> {a.timeout:g} s); "
              f"p50 {statistics.median(times):.2f} ms, p99 {percentile(times, 99):.2f} ms, max {max(times):.2f} ms")
    else:
        print(f"probe {a.path} from {a.probe_from}: 0 answered, {timeouts} timed out (> {a.timeout:g} s)")
    return 0 if timeouts == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
