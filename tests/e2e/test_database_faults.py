"""PostgreSQL connections dropped under a running server (``pg_terminate_backend``, what a
failover, a restart or an operator does): clients get a clean 503 and retry; nothing is ever
half-written. PostgreSQL only: SQLite has no connection to drop."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx2 as httpx
import pytest

from hawker.sim.flash_sale import prepare_sale
from tests.conftest import LiveServer

pytestmark = pytest.mark.parametrize("backend", ["postgres"])

THE_SERVERS = "datname = current_database() AND pid <> pg_backend_pid()"


def dsn(server: LiveServer) -> str:
    return server.settings.database_url.replace("postgresql+asyncpg://", "postgresql://")


async def terminate(admin: asyncpg.Connection, where: str = "TRUE", limit: int = 1000) -> int:
    """End the server's sessions in its database (matching ``where``); how many ended."""
    ended = await admin.fetchval(
        f"SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity "
        f"WHERE {THE_SERVERS} AND {where} ORDER BY random() LIMIT {limit}) AS victims"
    )
    return int(ended)


async def wait_for(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def buy(http: httpx.AsyncClient, token: str, deal_id: int, key: str) -> httpx.Response:
    return await http.post(
        "/api/orders",
        json={"items": [{"deal_id": deal_id, "quantity": 1}]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def assert_unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["Retry-After"]) >= 1
    body = r.json()
    assert body["status"] == 503 and body["code"] == "unavailable" and body["detail"]


async def assert_consistent(admin: asyncpg.Connection, deal_id: int) -> dict[str, Any]:
    """Every order has its line and a held reservation behind it, and the deal's counters,
    the buyers' shares and the reservations agree: the books add up after any fault."""
    deal = await admin.fetchrow("SELECT * FROM flash_deals WHERE id = $1", deal_id)
    sku = await admin.fetchrow("SELECT * FROM skus WHERE id = $1", deal["sku_id"])
    held = await admin.fetchval(
        "SELECT coalesce(sum(quantity), 0) FROM reservations WHERE deal_id = $1 AND state = 'held'",
        deal_id,
    )
    orphans = await admin.fetchval(
        "SELECT count(*) FROM reservations r WHERE r.deal_id = $1 AND NOT EXISTS "
        "(SELECT 1 FROM order_lines l WHERE l.reservation_id = r.id)",
        deal_id,
    )
    lineless = await admin.fetchval(
        "SELECT count(*) FROM orders o WHERE NOT EXISTS "
        "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"
    )
    orders = await admin.fetchval("SELECT count(*) FROM orders")
    shares = await admin.fetchval(
        "SELECT coalesce(sum(quantity), 0) FROM deal_buyers WHERE deal_id = $1", deal_id
    )
    assert deal["available"] + deal["reserved"] + deal["sold"] == deal["quantity"]
    assert deal["reserved"] == held == shares == orders, (dict(deal), held, shares, orders)
    assert orphans == 0 and lineless == 0
    assert sku["reserved"] == 0 and sku["available"] + deal["quantity"] == 200
    return dict(deal)


def test_a_connection_dropped_mid_sale_answers_503_and_a_retry_succeeds(
    live_server: Callable[..., LiveServer],
) -> None:
    """Invariant: a unit of work whose connection is lost after some of its writes (deal
    counters, buyer's share, reservation) and before the rest (order, lines) leaves no trace;
    the client gets a 503 problem with Retry-After, and its retry with the same
    Idempotency-Key places the order exactly once. A connection dropped between requests is
    never seen by a client at all (pre-ping replaces it)."""
    server = live_server()

    async def scenario() -> None:
        admin = await asyncpg.connect(dsn(server))
        try:
            await drop_mid_sale(admin)
        finally:
            await admin.close()

    async def drop_mid_sale(admin: asyncpg.Connection) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            sale = await prepare_sale(http, buyers=2, stock=200, units=10)
            first, second = sale.buyer_tokens
            merchant_id = await admin.fetchval("SELECT id FROM merchants")

            assert await terminate(admin) > 0  # every idle pooled connection is now dead
            r = await buy(http, first, sale.deal_id, uuid.uuid4().hex)
            assert r.status_code == 201, r.text

            # Hold the merchant row so the order INSERT's foreign-key check waits: the unit has
            # by then moved the deal counters and written the reservation. Drop it there.
            blocker = await asyncpg.connect(dsn(server))
            lock = blocker.transaction()
            await lock.start()
            await blocker.execute("SELECT 1 FROM merchants WHERE id = $1 FOR UPDATE", merchant_id)
            key = uuid.uuid4().hex
            buying = asyncio.create_task(buy(http, second, sale.deal_id, key))
            waiting = f"wait_event_type = 'Lock' AND pid <> {blocker.get_server_pid()}"

            async def blocked() -> bool:
                return bool(
                    await admin.fetchval(
                        f"SELECT count(*) FROM pg_stat_activity WHERE {THE_SERVERS} AND {waiting}"
                    )
                )

            await wait_for(blocked)
            assert await terminate(admin, waiting) == 1
            assert_unavailable(await buying)
            await lock.rollback()
            await blocker.close()
            deal = await assert_consistent(admin, sale.deal_id)
            assert (deal["available"], deal["reserved"]) == (9, 1)  # the first order only

            retried = await buy(http, second, sale.deal_id, key)
            assert retried.status_code == 201, retried.text
            again = await buy(http, second, sale.deal_id, key)
            assert again.status_code == 201 and again.json() == retried.json()
            deal = await assert_consistent(admin, sale.deal_id)
            assert (deal["available"], deal["reserved"]) == (8, 2)

    asyncio.run(scenario())


@pytest.mark.slow
def test_a_flash_sale_under_repeated_connection_drops_keeps_the_books(
    live_server: Callable[..., LiveServer],
) -> None:
    """Invariant: with busy server connections killed every few tens of milliseconds during a
    burst, every response is 201, 409 or 503 (never a 500); buyers retrying 503s with the same
    Idempotency-Key end, once the fault clears, with exactly as many orders as units, no buyer
    over the limit, and orders, lines, reservations and deal counters that agree."""
    units, buyers, fault_seconds = 30, 120, 3.0
    server = live_server()

    async def scenario() -> Counter[int]:
        admin = await asyncpg.connect(dsn(server))
        try:
            return await sale_under_fire(admin)
        finally:
            await admin.close()

    async def sale_under_fire(admin: asyncpg.Connection) -> Counter[int]:
        seen: Counter[int] = Counter()
        async with httpx.AsyncClient(
            base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=buyers)
        ) as http:
            sale = await prepare_sale(http, buyers=buyers, stock=200, units=units)

            async def killer() -> int:
                ended, until = 0, time.monotonic() + fault_seconds
                while time.monotonic() < until:
                    ended += await terminate(admin, "state <> 'idle'", limit=2)
                    await asyncio.sleep(0.03)
                return ended

            async def buyer(token: str) -> int:
                key = uuid.uuid4().hex
                while True:
                    r = await buy(http, token, sale.deal_id, key)
                    seen[r.status_code] += 1
                    if r.status_code != 503:
                        return r.status_code
                    assert_unavailable(r)
                    await asyncio.sleep(0.05)  # the header says 1 s; the test is impatient

            killing = asyncio.create_task(killer())
            final = await asyncio.gather(*(buyer(t) for t in sale.buyer_tokens))
            assert await killing > 0
            assert Counter(final) == {201: units, 409: buyers - units}, Counter(final)
            per_buyer = await admin.fetchval(
                "SELECT coalesce(max(quantity), 0) FROM deal_buyers WHERE deal_id = $1",
                sale.deal_id,
            )
            assert per_buyer == 1
            deal = await assert_consistent(admin, sale.deal_id)
            assert (deal["available"], deal["reserved"]) == (0, units)
        return seen

    seen = asyncio.run(scenario())
    assert set(seen) <= {201, 409, 503} and seen[503] > 0, seen
