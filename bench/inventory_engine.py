"""Lua reservation engine benchmark: ``RedisInventory.reserve`` called directly, against the
same Redis server's EVALSHA throughput of a trivial script (``return 1``) measured by
``redis-benchmark`` in the same run (the ceiling).

Comparable on both sides: the same number of connections (``--connections``), no pipelining
(each connection waits for its reply before sending the next call, ``-P 1``), and the same
number of client processes (``--processes``: that many Python processes sharing the
connections, ``redis-benchmark --threads``). Every reservation succeeds (the deal has enough
stock and a limit no buyer reaches), so each call runs the whole script. The last line printed
is one JSON object.

    python bench/inventory_engine.py --requests 200000 --connections 50 --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import multiprocessing
import shutil
import subprocess
import sys
import time
import uuid
from urllib.parse import urlparse

import redis

from hawker.infra.inventory_redis import (
    RESERVE,
    DealSnapshot,
    RedisInventory,
    Verdict,
    deal_keys,
)

DEAL = 1


def redis_benchmark(url: str, requests: int, connections: int, threads: int, *cmd: str) -> float:
    exe = shutil.which("redis-benchmark")
    if exe is None:
        sys.exit("redis-benchmark not found (it comes with the Redis server package)")
    u = urlparse(url)
    out = subprocess.run(
        [exe, "-h", u.hostname or "127.0.0.1", "-p", str(u.port or 6379), "--csv", "-q",
         "-n", str(requests), "-c", str(connections), "-P", "1", "--threads", str(threads),
         "-r", "1000000000", *cmd],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows = list(csv.reader(io.StringIO(out)))
    return float(rows[-1][1])


def ceiling(url: str, requests: int, connections: int, threads: int) -> float:
    """redis-benchmark's EVALSHA of a script that does nothing: the server's round trip."""
    sha = redis.Redis.from_url(url).script_load("return 1")
    return redis_benchmark(url, requests, connections, threads, "EVALSHA", sha, "0")


def script_rate(url: str, requests: int, connections: int, threads: int) -> float:
    """Diagnosis: the reserve script itself driven by redis-benchmark's C client (random
    buyers), so the server's cost of the Lua step is seen apart from the Python client's."""
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    snap = DealSnapshot(DEAL, 2 * requests, 2 * requests, 2**50, True)
    asyncio.run(_on_deal(url, prefix, snap))
    sha = redis.Redis.from_url(url).script_load(RESERVE)
    try:
        return redis_benchmark(
            url, requests, connections, threads, "EVALSHA", sha, "3", *deal_keys(prefix, DEAL),
            "__rand_int__", "1", "0", "h:__rand_int__", "9000000000000",
        )  # fmt: skip
    finally:
        _drop(url, prefix)


def _drop(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    client.delete(*client.scan_iter(f"{prefix}*"))
    client.close()


async def _reserve_worker(url: str, prefix: str, requests: int, connections: int, base: int) -> int:
    inventory = RedisInventory.from_url(url, prefix, connections=connections)
    counter = iter(range(requests))

    async def connection() -> int:
        held = 0
        for i in counter:
            attempt = await inventory.reserve(DEAL, base + i, 1, 0)
            held += attempt.verdict is Verdict.HELD
        return held

    try:
        return sum(await asyncio.gather(*(connection() for _ in range(connections))))
    finally:
        await inventory.aclose()


def _process(args: tuple[str, str, int, int, int]) -> int:
    return asyncio.run(_reserve_worker(*args))


async def _on_deal(url: str, prefix: str, snap: DealSnapshot | None) -> int:
    """Load the deal (``snap``) or read back what is left of it."""
    inventory = RedisInventory.from_url(url, prefix)
    try:
        if snap is not None:
            await inventory.load(snap)
            return snap.available
        left = await inventory.snapshot(DEAL)
        assert left is not None
        return left.available
    finally:
        await inventory.aclose()


def reserve_rate(url: str, requests: int, connections: int, processes: int) -> tuple[float, int]:
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    stock = requests + 10 * processes
    asyncio.run(_on_deal(url, prefix, DealSnapshot(DEAL, stock, stock, 2**50, True)))
    per = requests // processes
    jobs = [(url, prefix, per, connections // processes, p * per) for p in range(processes)]
    try:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            pool.map(_process, [(url, prefix, 10, 1, -100 - p) for p in range(processes)])  # warm
            started = time.perf_counter()
            held = sum(pool.map(_process, jobs))
            elapsed = time.perf_counter() - started
        assert asyncio.run(_on_deal(url, prefix, None)) == stock - held - 10 * processes
    finally:
        _drop(url, prefix)
    return held / elapsed, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2)
    a = parser.parse_args()
    reserve_per_s, held = reserve_rate(a.url, a.requests, a.connections, a.processes)
    ceiling_per_s = ceiling(a.url, a.requests, a.connections, a.processes)
    script_per_s = script_rate(a.url, a.requests, a.connections, a.processes)
    ratio = reserve_per_s / ceiling_per_s
    print("| side | calls | connections | processes | calls/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    sides = f"{a.connections} | {a.processes}"
    print(f"| reserve (Lua engine) | {held} | {sides} | {reserve_per_s:,.0f} |")
    print(f"| EVALSHA `return 1` (redis-benchmark) | {a.requests} | {a.connections} | "
          f"{a.processes} | {ceiling_per_s:,.0f} |")  # fmt: skip
    print(
        f"| reserve script alone (redis-benchmark) | {a.requests} | {sides} | {script_per_s:,.0f} |"
    )
    print(f"ratio {ratio:.3f} (target >= 0.5); script alone {script_per_s / ceiling_per_s:.3f}")
    result = {
        "reserve_per_s": round(reserve_per_s, 1),
        "ceiling_per_s": round(ceiling_per_s, 1),
        "ratio": round(ratio, 3),
        "script_per_s": round(script_per_s, 1),
        "script_ratio": round(script_per_s / ceiling_per_s, 3),
        "connections": a.connections,
        "processes": a.processes,
        "requests": a.requests,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
