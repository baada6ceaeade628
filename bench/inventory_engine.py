"""Lua reservation engine benchmark: reservations per second through ``RedisInventory`` called
directly, against the same Redis server's EVALSHA throughput of a trivial script (``return 1``)
measured by ``redis-benchmark`` in the same run (the ceiling).

What is compared. The engine is driven as a server node drives it: ``--callers`` concurrent
``reserve()`` awaits per process (one per in-flight buy request), all on one hot deal, in
``--processes`` processes; the engine groups the reservations that arrive while its previous
script run is in flight into one run (group commit, at most ``--max-batch``). We count
*reservations* per second. The ceiling is ``redis-benchmark``'s *calls* per second of a script
that does nothing, with ``--connections`` connections, no pipelining (``-P 1``) and
``--threads`` = ``--processes``: the most one-call-per-reservation could ever reach. Batching
is what lets the engine approach or pass it; the number of script runs (mean batch) is printed.

Diagnoses in the same run: the engine without batching (``reserve_many`` of one request per
call, the pre-batching path: ``--connections`` callers, one script run per reservation), and
the single reserve script driven by ``redis-benchmark``'s C client (the server's cost of the Lua
step apart from the Python client's). Every reservation succeeds (enough stock, a limit no
buyer reaches), so each one runs the whole decision. The last line printed is one JSON object.

    python bench/inventory_engine.py --requests 200000 --callers 256 --connections 50 --processes 2
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
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import quantiles
from typing import Any
from urllib.parse import urlparse

import redis

from hawker.infra.inventory_redis import (
    RESERVE,
    Attempt,
    DealSnapshot,
    RedisInventory,
    ReserveRequest,
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
            url, requests, connections, threads, "EVALSHA", sha, "4", *deal_keys(prefix, DEAL),
            "__rand_int__", "1", "0", "h:__rand_int__", "9000000000000", "-",
        )  # fmt: skip
    finally:
        _drop(url, prefix)


def _drop(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    client.delete(*client.scan_iter(f"{prefix}*"))
    client.close()


class Counting(RedisInventory):
    """Counts script runs, to report the mean batch."""

    runs = 0

    async def reserve_many(self, deal_id: int, requests: Sequence[ReserveRequest]) -> list[Attempt]:
        self.runs += 1
        return await super().reserve_many(deal_id, requests)


@dataclass
class Job:
    url: str
    prefix: str
    requests: int
    callers: int
    base: int  # first buyer id: every reservation is a new buyer's
    batched: bool
    max_batch: int


@dataclass
class Done:
    held: int
    runs: int
    latencies: list[float]


async def _reserve_worker(job: Job) -> Done:
    inventory = Counting.from_url(
        job.url, job.prefix, connections=max(job.callers, 1), max_batch=job.max_batch
    )
    counter = iter(range(job.requests))
    latencies: list[float] = []

    async def caller() -> int:
        held = 0
        for i in counter:
            started = time.perf_counter()
            if job.batched:
                attempt = await inventory.reserve(DEAL, job.base + i, 1, 0)
            else:
                request = ReserveRequest(job.base + i, 1, 0)
                (attempt,) = await inventory.reserve_many(DEAL, [request])
            latencies.append(time.perf_counter() - started)
            held += attempt.verdict is Verdict.HELD
        return held

    try:
        held = sum(await asyncio.gather(*(caller() for _ in range(job.callers))))
        return Done(held, inventory.runs, latencies)
    finally:
        await inventory.aclose()


def _process(job: Job) -> Done:
    return asyncio.run(_reserve_worker(job))


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


@dataclass
class Rate:
    per_s: float
    held: int
    runs: int
    p50_ms: float
    p99_ms: float


def reserve_rate(
    url: str, requests: int, callers: int, processes: int, *, batched: bool, max_batch: int
) -> Rate:
    """``callers`` concurrent reservations per process, each a new buyer taking one unit."""
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    stock = requests + 10 * processes
    asyncio.run(_on_deal(url, prefix, DealSnapshot(DEAL, stock, stock, 2**50, True)))
    per = requests // processes
    warm = [Job(url, prefix, 10, 1, -100 - 10 * p, batched, max_batch) for p in range(processes)]
    jobs = [Job(url, prefix, per, callers, p * per, batched, max_batch) for p in range(processes)]
    try:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            pool.map(_process, warm)
            started = time.perf_counter()
            done = pool.map(_process, jobs)
            elapsed = time.perf_counter() - started
        held = sum(d.held for d in done)
        assert asyncio.run(_on_deal(url, prefix, None)) == stock - held - 10 * processes
    finally:
        _drop(url, prefix)
    cuts = quantiles([t for d in done for t in d.latencies], n=100)
    return Rate(held / elapsed, held, sum(d.runs for d in done), cuts[49] * 1e3, cuts[98] * 1e3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--callers", type=int, default=256, help="concurrent reserve() per process")
    parser.add_argument("--max-batch", type=int, default=128)
    parser.add_argument("--connections", type=int, default=50, help="ceiling and unbatched side")
    parser.add_argument("--processes", type=int, default=2)
    a = parser.parse_args()
    n, p = a.requests, a.processes
    batched = reserve_rate(a.url, n, a.callers, p, batched=True, max_batch=a.max_batch)
    alone = reserve_rate(a.url, n, a.connections // p, p, batched=False, max_batch=a.max_batch)
    ceiling_per_s = ceiling(a.url, n, a.connections, p)
    script_per_s = script_rate(a.url, n, a.connections, p)
    ratio = batched.per_s / ceiling_per_s
    print(
        "| side | reservations | script runs | concurrency | processes | per s | p50 ms | p99 ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r, conc in [
        (f"reserve(), batched (max {a.max_batch})", batched, f"{a.callers}/process"),
        ("reserve, one run each (diagnosis)", alone, str(a.connections)),
    ]:
        print(f"| {name} | {r.held} | {r.runs} | {conc} | {p} | {r.per_s:,.0f} | "
              f"{r.p50_ms:.2f} | {r.p99_ms:.2f} |")  # fmt: skip
    print(f"| EVALSHA `return 1` (redis-benchmark, ceiling) | — | {n} | {a.connections} | {p} | "
          f"{ceiling_per_s:,.0f} | | |")  # fmt: skip
    print(f"| reserve script alone (redis-benchmark, diagnosis) | {n} | {n} | {a.connections} | "
          f"{p} | {script_per_s:,.0f} | | |")  # fmt: skip
    print(
        f"ratio {ratio:.3f} (target >= 0.5); mean batch {batched.held / batched.runs:.1f}; "
        f"unbatched {alone.per_s / ceiling_per_s:.3f}; "
        f"script alone {script_per_s / ceiling_per_s:.3f}"
    )
    result: dict[str, Any] = {
        "reserve_per_s": round(batched.per_s, 1),
        "ceiling_per_s": round(ceiling_per_s, 1),
        "ratio": round(ratio, 3),
        "mean_batch": round(batched.held / batched.runs, 1),
        "reserve_p50_ms": round(batched.p50_ms, 2),
        "reserve_p99_ms": round(batched.p99_ms, 2),
        "unbatched_per_s": round(alone.per_s, 1),
        "unbatched_ratio": round(alone.per_s / ceiling_per_s, 3),
        "script_per_s": round(script_per_s, 1),
        "script_ratio": round(script_per_s / ceiling_per_s, 3),
        "callers": a.callers,
        "max_batch": a.max_batch,
        "connections": a.connections,
        "processes": p,
        "requests": n,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
