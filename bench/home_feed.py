"""Home-page benchmark over real HTTP: the front page of a big catalogue.

Seeds a fresh embedded-default server (SQLite) with ``--items`` live shows, short videos and
products (10,000 of each by default, written straight into the database: the API would take
minutes), publishes the demo's layout (live commerce in the middle) through the API, and
signs a shopper in who follows a few hosts. Then, for that shopper:

- latency: ``--samples`` sequential GET / (the server-rendered home page), p50 and p99;
- throughput: ``--clients`` concurrent clients GET /, GET /api/feed (its JSON twin) and the
  ceiling, GET /healthz (a trivial endpoint of the same server, same run), ``--requests``
  each; ``ratio`` is home_rps / ceiling_rps.

An active campaign takes part: ``--items // 100`` of its shows and products are approved
entries (its "festival" section) and each of those shows, products and their hosts carries a
traffic boost (x2, a daily budget no run exhausts), so every section ranks with boosts. The
page is composed for the first time in the warm-up; the figures are a returning shopper's.
The last line printed is one JSON object.

    python bench/home_feed.py
    python bench/home_feed.py --items 10000 --samples 300 --clients 8 --requests 400
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx2 as httpx
from sqlalchemy import Connection, create_engine, insert

from hawker.accounts import service as accounts
from hawker.accounts.models import User, UserRole
from hawker.campaigns.models import Boost, Campaign, CampaignEntry
from hawker.catalog.models import Merchant, Product, Sku
from hawker.core.clock import utcnow
from hawker.core.db import Database
from hawker.live.models import Show, ShowProduct
from hawker.migrations import upgrade
from hawker.sim.demo_front_page import LAYOUT
from hawker.video.models import ShortVideo

PASSWORD = "bench-password"
HOSTS = 200
COVERS = ["beauty", "home", "sports", "tech"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(path: Path, items: int) -> None:
    """Hosts, a merchant, and ``items`` products (one SKU), live shows (one product each)
    and ready short videos, in bulk."""
    engine = create_engine(f"sqlite:///{path}")
    now = utcnow()
    with engine.begin() as c:
        users = [
            {"id": 1000 + i, "email": f"host{i}@bench.example", "display_name": f"Host {i}",
             "password_hash": "-", "avatar_url": "/static/demo/avatar-mia.svg", "created_at": now}
            for i in range(HOSTS + 1)
        ]  # fmt: skip
        c.execute(insert(User), users)
        roles = [{"user_id": u["id"], "role": "host"} for u in users[:-1]]
        c.execute(insert(UserRole), [*roles, {"user_id": 1000 + HOSTS, "role": "merchant"}])
        c.execute(insert(Merchant), [{"id": 1, "owner_id": 1000 + HOSTS, "name": "Bench Mart",
                                      "created_at": now}])  # fmt: skip
        c.execute(
            insert(Product),
            [
                {"id": i, "merchant_id": 1, "title": f"Product {i}", "description": "",
                 "image_url": "/static/demo/mug.svg", "active": True,
                 "created_at": now - timedelta(minutes=i)}
                for i in range(1, items + 1)
            ],
        )  # fmt: skip
        c.execute(
            insert(Sku),
            [
                {"id": i, "product_id": i, "name": "One", "price": 1000 + i % 5000,
                 "currency": "USD", "available": 100, "reserved": 0, "sold": i % 37}
                for i in range(1, items + 1)
            ],
        )  # fmt: skip
        c.execute(
            insert(Show),
            [
                {"id": i, "host_id": 1000 + i % HOSTS, "title": f"Live show {i}",
                 "description": "", "cover_url": f"/static/demo/cover-{COVERS[i % 4]}.svg",
                 "scheduled_start": now - timedelta(minutes=i), "status": "live",
                 "started_at": now - timedelta(seconds=i), "likes": 0, "created_at": now}
                for i in range(1, items + 1)
            ],
        )  # fmt: skip
        c.execute(
            insert(ShowProduct),
            [{"show_id": i, "product_id": i, "position": 0} for i in range(1, items + 1)],
        )
        c.execute(
            insert(ShortVideo),
            [
                {"id": i, "host_id": 1000 + i % HOSTS, "caption": f"Clip {i}",
                 "status": "ready", "video_url": "", "poster_url": "/static/demo/cover-tech.svg",
                 "duration_ms": 15000, "width": 540, "height": 960, "likes": i % 101,
                 "comments": 0, "failure": "", "created_at": now - timedelta(seconds=i),
                 "ready_at": now - timedelta(seconds=i)}
                for i in range(1, items + 1)
            ],
        )  # fmt: skip
        campaign(c, items, now)
    engine.dispose()


def campaign(c: Connection, items: int, now: datetime) -> None:
    """A running campaign: approved show and product entries, each boosted with its host."""
    day = timedelta(days=1)
    c.execute(insert(Campaign), [{"id": 1, "slug": "bench-fest", "name": "Bench Festival",
                                  "starts_at": now - day, "ends_at": now + day,
                                  "created_by": 1000 + HOSTS, "created_at": now}])  # fmt: skip
    taking_part = range(1, items + 1, 100)
    entries, boosts = [], []
    for i in taking_part:
        for kind, target in (("show", i), ("product", i)):
            entries.append({"campaign_id": 1, "kind": kind, "target_id": target,
                            "applicant_id": 1000 + HOSTS, "merchant_id": 1,
                            "host_id": 1000 + i % HOSTS if kind == "show" else None,
                            "status": "approved", "created_at": now})  # fmt: skip
        for kind, target in (("show", i), ("product", i), ("host", 1000 + i % HOSTS)):
            boosts.append({"kind": kind, "target_id": target, "campaign_id": 1,
                           "multiplier": 2.0, "score_cap": None, "daily_budget": 10**8,
                           "starts_at": now - day, "ends_at": now + day, "active": True,
                           "created_by": 1000 + HOSTS, "created_at": now})  # fmt: skip
    c.execute(insert(CampaignEntry), entries)
    c.execute(insert(Boost), boosts)


async def make_operator(url: str) -> None:
    db = Database(url, pool_size=1)
    try:
        async with db.write() as s:
            await accounts.do_create_user(
                s,
                email="ops@bench.example",
                password=PASSWORD,
                display_name="Ops",
                roles=["operator"],
            )
    finally:
        await db.dispose()


def token(base: str, email: str, signup: bool = False) -> str:
    if signup:
        body = {"email": email, "password": PASSWORD, "display_name": "Sam", "roles": ["shopper"]}
        r = httpx.post(base + "/api/auth/signup", json=body, timeout=30)
    else:
        r = httpx.post(base + "/api/auth/login", json={"email": email, "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["token"])


def start(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "HAWKER_DATA_DIR": str(data_dir),
        "HAWKER_ARGON2_TIME_COST": "1",
        "HAWKER_ARGON2_MEMORY_KIB": "64",
    }
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "hawker.cli", "serve", "--host", "127.0.0.1"),
            *("--port", str(port), "--no-access-log"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the server did not start")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


async def sequential(http: aiohttp.ClientSession, url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        async with http.get(url) as r:
            await r.read()
            assert r.status == 200, r.status
        times.append(time.perf_counter() - t0)
    return times


async def throughput(http: aiohttp.ClientSession, url: str, clients: int, each: int) -> float:
    async def client() -> None:
        for _ in range(each):
            async with http.get(url) as r:
                await r.read()
                assert r.status == 200, r.status

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return clients * each / (time.perf_counter() - t0)


async def run(base: str, shopper: str, args: argparse.Namespace) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {shopper}", "Accept-Language": "en-US"}
    connector = aiohttp.TCPConnector(limit=args.clients)
    async with aiohttp.ClientSession(base, headers=headers, connector=connector) as http:
        await sequential(http, "/", 20)  # warm up
        home = await sequential(http, "/", args.samples)
        feed = await sequential(http, "/api/feed", args.samples)
        rps = {}
        for name, url in (("ceiling", "/healthz"), ("home", "/"), ("feed", "/api/feed")):
            rps[name] = await throughput(http, url, args.clients, args.requests)
    return {
        "items": args.items,
        "home_p50_ms": round(pct(home, 50), 1),
        "home_p99_ms": round(pct(home, 99), 1),
        "feed_p50_ms": round(pct(feed, 50), 1),
        "feed_p99_ms": round(pct(feed, 99), 1),
        "ceiling_rps": round(rps["ceiling"], 1),
        "home_rps": round(rps["home"], 1),
        "feed_rps": round(rps["feed"], 1),
        "ratio": round(rps["home"] / rps["ceiling"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="of each kind")
    parser.add_argument("--samples", type=int, default=300, help="sequential page loads")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="per client, per endpoint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        database = data / "hawker.sqlite3"
        upgrade(f"sqlite+aiosqlite:///{database}")
        seed(database, args.items)
        asyncio.run(make_operator(f"sqlite+aiosqlite:///{database}"))
        proc, base = start(data)
        try:
            ops = {"Authorization": f"Bearer {token(base, 'ops@bench.example')}"}
            httpx.put(base + "/api/front-page/draft", json={"sections": LAYOUT}, headers=ops)
            httpx.post(base + "/api/front-page/publish", json={}, headers=ops).raise_for_status()
            shopper = token(base, "sam@bench.example", signup=True)
            for host in range(1000, 1005):  # "From hosts you follow" has shows to rank
                httpx.post(
                    f"{base}/api/hosts/{host}/follow",
                    headers={"Authorization": f"Bearer {shopper}"},
                ).raise_for_status()
            feed = httpx.get(base + "/api/feed", headers={"Authorization": f"Bearer {shopper}"})
            shown = {x["title"]: x for x in feed.json()}
            assert {"From hosts you follow", "Summer Festival deals"} <= set(shown), shown
            assert any(i["promoted"] for x in shown.values() for i in x["items"]), "no boost"
            result = asyncio.run(run(base, shopper, args))
        finally:
            proc.terminate()
            proc.wait(30)
    print(" ".join(f"{k:>12}" for k in result))
    print(" ".join(f"{v:>12}" for v in result.values()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
