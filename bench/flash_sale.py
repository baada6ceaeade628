"""Flash-sale benchmark over real HTTP.

Starts a server (or targets ``--url``), creates a flash deal, then fires ``--buyers`` concurrent
buy requests at it. The ceiling is the same server's trivial endpoint (GET /healthz) hit by the
same client (``http_load``, cheap enough not to be the bottleneck) with the same concurrency in
the same run, so the ratio is meaningful on a noisy shared machine. The last line printed is one
JSON object.

Backends: ``sqlite`` (the embedded default, one process), ``postgres`` (stock decided by the
conditional update in PostgreSQL) and ``redis`` (stock decided by the Lua engine, settled into
PostgreSQL), the last two on ``--workers`` processes sharing rooms through Redis. With a
PostgreSQL backend the same sale also runs against the naive baseline most shops use
(``SELECT ... FOR UPDATE`` on the deal row, then insert: ``HAWKER_STOCK_ENGINE=locking``), on a
fresh server and database, giving ``speedup_vs_naive``.

    python bench/flash_sale.py --buyers 1000 --stock 100
    python bench/flash_sale.py --backend redis --buyers 1000 --stock 100
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

import asyncpg
import httpx2 as httpx
import redis

from hawker.sim.flash_sale import prepare_sale
from http_load import Load, Request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


ENGINE = {"sqlite": "sql", "postgres": "sql", "redis": "auto", "naive": "locking"}


class Server:
    """``hawker serve`` on a fresh data directory (and PostgreSQL database, Redis prefix)."""

    def __init__(self, mode: str, workers: int, tmp: Path, pg_admin: str, redis_url: str):
        self.mode, self.pg_admin, self.redis_url = mode, pg_admin, redis_url
        self.database = "" if mode == "sqlite" else f"hawker_bench_{uuid.uuid4().hex[:10]}"
        self.prefix = f"bench{uuid.uuid4().hex[:8]}:"
        port = free_port()
        env = os.environ | {
            "HAWKER_DATA_DIR": str(tmp / mode),
            "HAWKER_ARGON2_TIME_COST": "1",
            "HAWKER_ARGON2_MEMORY_KIB": "64",
            "HAWKER_STOCK_ENGINE": ENGINE[mode],
        }
        if self.database:
            asyncio.run(self._admin(f'CREATE DATABASE "{self.database}"'))
            base = pg_admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
            env |= {
                "HAWKER_DATABASE_URL": f"{base}/{self.database}",
                "HAWKER_REDIS_URL": redis_url,
                "HAWKER_REDIS_PREFIX": self.prefix,
            }
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "hawker.cli", "serve", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", str(workers), "--no-access-log"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"the {mode} server did not start")

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.pg_admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        if self.database:
            asyncio.run(self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            client = redis.Redis.from_url(self.redis_url)
            for key in client.scan_iter(match=f"*{self.prefix.rstrip(':')}*"):
                client.delete(key)
            client.close()


WARM_REQUESTS = 4  # requests per buyer before the drop


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0


async def run(url: str, buyers: int, stock: int, rounds: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=300) as http:
        sale = await prepare_sale(http, buyers=buyers, stock=stock, units=stock)
        deal_id, tokens = sale.deal_id, sale.buyer_tokens
    load = Load(url, buyers)
    try:
        # Buyers are in the room, signed in, when a deal drops: each has made a few requests
        # (spread over the load client's connections, so over the server's workers as a room's
        # traffic is), and the nodes know who they are.
        me = [Request("GET", "/api/me", auth(t)) for t in tokens]
        for _ in range(WARM_REQUESTS):
            await load.burst(me)
        ceiling_runs = []
        for _ in range(rounds):  # warm every connection, then measure the ceiling
            wall, _res = await load.burst([Request("GET", "/healthz", {})] * buyers)
            ceiling_runs.append(buyers / wall)
        buys = [
            Request.json(
                "POST",
                "/api/orders",
                {"items": [{"deal_id": deal_id, "quantity": 1}]},
                auth(t) | {"Idempotency-Key": uuid.uuid4().hex},
            )
            for t in tokens
        ]
        outcome = await load.burst(buys)
    finally:
        load.close()
    async with httpx.AsyncClient(base_url=url) as http:
        deal = (await http.get(f"/api/deals/{deal_id}")).json()
    wall, results = outcome
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


def measure(args: argparse.Namespace, mode: str, tmp: Path) -> dict[str, Any]:
    workers = 1 if mode == "sqlite" else args.workers
    server = Server(mode, workers, tmp, args.postgres, args.redis)
    try:
        return {"mode": mode, "workers": workers} | asyncio.run(
            run(server.url, args.buyers, args.stock, args.rounds)
        )
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "redis"], default="sqlite")
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument("--stock", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="server processes (not sqlite)")
    parser.add_argument("--rounds", type=int, default=3, help="ceiling bursts (median taken)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--url", help="target a running server instead of starting one")
    parser.add_argument(
        "--postgres", default="postgresql://postgres@127.0.0.1:5432/test", help="admin URL"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    results: list[dict[str, Any]]
    if args.url:
        results = [asyncio.run(run(args.url, args.buyers, args.stock, args.rounds))]
    else:
        modes = [args.backend]
        if args.backend != "sqlite" and not args.no_naive:
            modes.append("naive")
        with tempfile.TemporaryDirectory() as tmp:
            results = [measure(args, mode, Path(tmp)) for mode in modes]
    columns = list(results[0])
    print(" ".join(f"{c:>14}" for c in columns))
    for row in results:
        print(" ".join(f"{row.get(c, ''):>14}" for c in columns))
    summary = dict(results[0])
    if len(results) > 1:
        naive = results[1]
        summary["naive_attempts_per_s"] = naive["attempts_per_s"]
        summary["naive_oversold"] = naive["oversold"]
        summary["speedup_vs_naive"] = round(summary["attempts_per_s"] / naive["attempts_per_s"], 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
