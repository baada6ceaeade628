"""Flash-sale benchmark over real HTTP.

Starts a server (or targets ``--url``), creates a flash deal, then fires ``--buyers`` concurrent
buy requests at it. The ceiling is the same server's trivial endpoint (GET /healthz) hit by the
same client with the same concurrency in the same run, so the ratio is meaningful on a noisy
shared machine. The last line printed is one JSON object.

    python bench/flash_sale.py --buyers 1000 --stock 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import httpx2 as httpx

from hawker.sim.flash_sale import prepare_sale


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "HAWKER_DATA_DIR": str(data_dir),
        "HAWKER_ARGON2_TIME_COST": "1",
        "HAWKER_ARGON2_MEMORY_KIB": "64",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "hawker.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


async def burst(
    http: aiohttp.ClientSession, requests: list[dict[str, Any]]
) -> tuple[float, list[tuple[int, float]]]:
    """Fire every request at once; return wall time and (status, latency) per request.
    aiohttp is the load client: at a thousand concurrent connections httpx's own overhead
    would be the ceiling instead of the server's."""
    start = asyncio.Event()

    async def one(req: dict[str, Any]) -> tuple[int, float]:
        await start.wait()
        t0 = time.perf_counter()
        async with http.request(**req) as r:
            await r.read()
            return r.status, time.perf_counter() - t0

    tasks = [asyncio.create_task(one(r)) for r in requests]
    await asyncio.sleep(0.3)
    t0 = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks)
    return time.perf_counter() - t0, list(results)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0


async def run(url: str, buyers: int, stock: int, rounds: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=300) as http:
        sale = await prepare_sale(http, buyers=buyers, stock=stock, units=stock)
        deal_id, tokens = sale.deal_id, sale.buyer_tokens
        for token in tokens:  # buyers are already in the room, signed in, when a deal drops
            await http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    connector = aiohttp.TCPConnector(limit=buyers)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as load:
        ceiling_runs = []
        for _ in range(rounds):  # warm every connection, then measure the ceiling
            wall, _res = await burst(load, [{"method": "GET", "url": "/healthz"}] * buyers)
            ceiling_runs.append(buyers / wall)
        buys = [
            {
                "method": "POST",
                "url": "/api/orders",
                "json": {"items": [{"deal_id": deal_id, "quantity": 1}]},
                "headers": {"Authorization": f"Bearer {t}", "Idempotency-Key": uuid.uuid4().hex},
            }
            for t in tokens
        ]
        sale = await burst(load, buys)
    async with httpx.AsyncClient(base_url=url) as http:
        deal = (await http.get(f"/api/deals/{deal_id}")).json()
    wall, results = sale
    latencies = [lat for _, lat in results]
    reserved = sum(1 for status, _ in results if status == 201)
    errors = sum(1 for status, _ in results if status >= 500)
    ceiling = statistics.median(ceiling_runs)
    attempts = buyers / wall
    return {
        "buyers": buyers,
        "stock": stock,
        "reserved": reserved,
        "oversold": max(0, reserved - stock) + max(0, -deal["left"]),
        "server_errors": errors,
        "left_after": deal["left"],
        "attempts_per_s": round(attempts, 1),
        "p50_ms": round(pct(latencies, 50), 1),
        "p99_ms": round(pct(latencies, 99), 1),
        "ceiling_rps": round(ceiling, 1),
        "ratio": round(attempts / ceiling, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument("--stock", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="ceiling bursts (median taken)")
    parser.add_argument("--url", help="target a running server instead of starting one")
    args = parser.parse_args()
    proc = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url
        if url is None:
            proc, url = start_server(Path(tmp))
        try:
            result = asyncio.run(run(url, args.buyers, args.stock, args.rounds))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    print(f"{'metric':<16}{'value':>12}")
    for k, v in result.items():
        print(f"{k:<16}{v:>12}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
