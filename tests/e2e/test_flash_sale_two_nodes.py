"""Scale-out flash sale over real HTTP: two server processes share one database and Redis
stock. Buyers are spread over both nodes; exactly the stock is reserved, nobody goes over the
limit, Redis agrees with the database, and when the unpaid reservations expire (whichever
node's job gets them) the units come back on sale in Redis too."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import redis

from hawker.infra.inventory_redis import deal_keys
from hawker.sim.flash_sale import prepare_sale
from tests.conftest import LiveServer
from tests.deals.conftest import redis_namespace, redis_test_url

BUYERS, DOUBLE_DIPPERS, UNITS = 300, 100, 40


@pytest.fixture
def stock_prefix() -> Iterator[str]:
    yield from redis_namespace()


def database(path: Path, deal_id: int) -> tuple[tuple[int, int, int], dict[int, int]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        deal = db.execute(
            "SELECT available, reserved, sold FROM flash_deals WHERE id = ?", (deal_id,)
        ).fetchone()
        buyers = dict(
            db.execute(
                "SELECT buyer_id, quantity FROM deal_buyers WHERE deal_id = ? AND quantity > 0",
                (deal_id,),
            ).fetchall()
        )
    finally:
        db.close()
    return tuple(deal), buyers


def in_redis(prefix: str, deal_id: int) -> tuple[int, dict[int, int]]:
    client = redis.Redis.from_url(redis_test_url())
    deal_key, buyers_key, _ = deal_keys(f"{prefix}stock:", deal_id)
    try:
        available = int(client.hget(deal_key, "available") or -1)
        buyers = {int(k): int(v) for k, v in client.hgetall(buyers_key).items()}
    finally:
        client.close()
    return available, buyers


@pytest.mark.slow
def test_two_nodes_sell_exactly_the_stock(
    live_server: Callable[..., LiveServer], tmp_path: Path, stock_prefix: str
) -> None:
    shared = tmp_path / "shared.sqlite3"
    env = {
        "HAWKER_DATABASE_URL": f"sqlite+aiosqlite:///{shared}",
        "HAWKER_REDIS_URL": redis_test_url(),
        "HAWKER_REDIS_PREFIX": stock_prefix,
        "HAWKER_RESERVATION_TTL_SECONDS": "8",
        "HAWKER_EXPIRY_SWEEP_SECONDS": "0.5",
        "HAWKER_STOCK_RECONCILE_SECONDS": "0.5",
    }
    nodes = [live_server(**env), live_server(**env)]  # one after the other: one migrates

    async def scenario() -> tuple[int, list[tuple[str, int, str]]]:
        limits = httpx.Limits(max_connections=BUYERS + DOUBLE_DIPPERS)
        clients = [httpx.AsyncClient(base_url=n.url, limits=limits, timeout=120) for n in nodes]
        try:
            sale = await prepare_sale(clients[0], buyers=BUYERS, stock=100, units=UNITS)
            start = asyncio.Event()

            async def attempt(i: int, token: str) -> tuple[str, int, str]:
                await start.wait()
                r = await clients[i % 2].post(
                    "/api/orders",
                    json={"items": [{"deal_id": sale.deal_id, "quantity": 1}]},
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": uuid.uuid4().hex,
                    },
                )
                return token, r.status_code, r.json().get("code", "")

            tokens = sale.buyer_tokens + sale.buyer_tokens[:DOUBLE_DIPPERS]
            tasks = [asyncio.create_task(attempt(i, t)) for i, t in enumerate(tokens)]
            await asyncio.sleep(0.2)
            start.set()
            return sale.deal_id, list(await asyncio.gather(*tasks))
        finally:
            for c in clients:
                await c.aclose()

    deal_id, results = asyncio.run(scenario())
    statuses = Counter(status for _, status, _ in results)
    assert statuses == {201: UNITS, 409: len(results) - UNITS}, statuses
    assert {code for _, s, code in results if s == 409} <= {"deal_sold_out", "buyer_limit_exceeded"}
    assert max(Counter(t for t, s, _ in results if s == 201).values()) == 1
    counters, buyers = database(shared, deal_id)
    assert counters == (0, UNITS, 0)
    assert in_redis(stock_prefix, deal_id) == (0, buyers)

    deadline = time.monotonic() + 60  # expiry returns every unit, in Redis too
    state: Any = None
    while time.monotonic() < deadline:
        state = database(shared, deal_id), in_redis(stock_prefix, deal_id)
        if state == (((UNITS, 0, 0), {}), (UNITS, {})):
            break
        time.sleep(0.5)
    assert state == (((UNITS, 0, 0), {}), (UNITS, {})), state
    for node in nodes:
        assert "Traceback" not in node.logs()
