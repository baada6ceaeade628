"""Scale-out flash sale over real HTTP: two server processes share one database and Redis
stock. Buyers are spread over both nodes; exactly the stock is reserved, nobody goes over the
limit, Redis agrees with the database, and when the winners cancel (through either node) the
units come back on sale in Redis too. (Expiry reaching Redis is tested in process: a short
reservation TTL here would let reservations lapse mid-race on a loaded machine.)"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

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
    deal_key, buyers_key, *_ = deal_keys(f"{prefix}stock:", deal_id)
    try:
        available = int(client.hget(deal_key, "available") or -1)
        buyers = {int(k): int(v) for k, v in client.hgetall(buyers_key).items()}
    finally:
        client.close()
    return available, buyers


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])  # one shared SQLite file (PostgreSQL: multi_node)
def test_two_nodes_sell_exactly_the_stock(
    live_server: Callable[..., LiveServer], tmp_path: Path, stock_prefix: str
) -> None:
    shared = tmp_path / "shared.sqlite3"
    env = {
        "HAWKER_DATABASE_URL": f"sqlite+aiosqlite:///{shared}",
        "HAWKER_REDIS_URL": redis_test_url(),
        "HAWKER_REDIS_PREFIX": stock_prefix,
        "HAWKER_STOCK_RECONCILE_SECONDS": "0.5",
    }
    nodes = [live_server(**env), live_server(**env)]  # one after the other: one migrates

    async def scenario() -> tuple[int, list[tuple[str, int, str, int]]]:
        limits = httpx.Limits(max_connections=BUYERS + DOUBLE_DIPPERS)
        clients = [httpx.AsyncClient(base_url=n.url, limits=limits, timeout=120) for n in nodes]
        try:
            sale = await prepare_sale(clients[0], buyers=BUYERS, stock=100, units=UNITS)
            start = asyncio.Event()

            async def attempt(i: int, token: str) -> tuple[str, int, str, int]:
                await start.wait()
                r = await clients[i % 2].post(
                    "/api/orders",
                    json={"items": [{"deal_id": sale.deal_id, "quantity": 1}]},
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": uuid.uuid4().hex,
                    },
                )
                body = r.json()
                return token, r.status_code, body.get("code", ""), body.get("id", 0)

            tokens = sale.buyer_tokens + sale.buyer_tokens[:DOUBLE_DIPPERS]
            tasks = [asyncio.create_task(attempt(i, t)) for i, t in enumerate(tokens)]
            await asyncio.sleep(0.2)
            start.set()
            results = list(await asyncio.gather(*tasks))
            counters, buyers = database(shared, sale.deal_id)
            assert counters == (0, UNITS, 0)
            assert in_redis(stock_prefix, sale.deal_id) == (0, buyers)
            won = [(token, order) for token, status, _, order in results if status == 201]
            for i, (token, order) in enumerate(won):
                r = await clients[i % 2].post(
                    f"/api/orders/{order}/cancel", headers={"Authorization": f"Bearer {token}"}
                )
                assert r.status_code == 200, r.text
            return sale.deal_id, results
        finally:
            for c in clients:
                await c.aclose()

    deal_id, results = asyncio.run(scenario())
    statuses = Counter(status for _, status, _, _ in results)
    assert statuses == {201: UNITS, 409: len(results) - UNITS}, statuses
    assert {code for _, s, code, _ in results if s == 409} <= {
        "deal_sold_out",
        "buyer_limit_exceeded",
    }
    assert max(Counter(t for t, s, _, _ in results if s == 201).values()) == 1
    state = database(shared, deal_id), in_redis(stock_prefix, deal_id)
    assert state == (((UNITS, 0, 0), {}), (UNITS, {})), state  # every unit back, in Redis too
    for node in nodes:
        assert "Traceback" not in node.logs()
