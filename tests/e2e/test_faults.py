"""Faults in the middle of a flash sale on two nodes (PostgreSQL + Redis, behind nginx). Each test
states the invariant it checks and asserts it on the database afterwards."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
import redis

from hawker.sim.flash_sale import prepare_sale
from tests.e2e.conftest import Cluster
from tests.services import need_redis

# a cluster always runs on PostgreSQL and Redis: once, not once per backend
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgres"])]
GOOD_CARD = "4242424242424242"
UNITS = 20
FAST_EXPIRY = {
    "HAWKER_RESERVATION_TTL_SECONDS": "6",
    "HAWKER_EXPIRY_SWEEP_SECONDS": "0.5",
    "HAWKER_STOCK_RECONCILE_SECONDS": "1",
}


def deal_counters(c: Cluster, deal_id: int) -> dict[str, int]:
    ((quantity, available, reserved, sold, returned),) = c.nodes[-1].query(
        "SELECT quantity, available, reserved, sold, returned FROM flash_deals WHERE id = :id",
        id=deal_id,
    )
    held, paid = (
        c.nodes[-1].query(
            "SELECT COALESCE(SUM(quantity), 0) FROM reservations "
            "WHERE deal_id = :id AND state = :state",
            id=deal_id,
            state=state,
        )[0][0]
        for state in ("held", "paid")
    )
    return {
        "quantity": quantity,
        "available": available,
        "reserved": reserved,
        "sold": sold,
        "returned": returned,
        "held": held,
        "paid": paid,
    }


def assert_adds_up(counters: dict[str, int]) -> None:
    """Invariant 1: the deal's units add up, reserved and sold match the reservation rows."""
    c = counters
    assert c["available"] + c["reserved"] + c["sold"] + c["returned"] == c["quantity"], c
    assert min(c["available"], c["reserved"], c["sold"]) >= 0, c
    assert (c["reserved"], c["sold"]) == (c["held"], c["paid"]), c


async def buy(http: httpx.AsyncClient, deal_id: int, token: str) -> tuple[int, dict[str, Any]]:
    try:
        r = await http.post(
            "/api/orders",
            json={"items": [{"deal_id": deal_id, "quantity": 1}]},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
    except httpx.HTTPError:
        return 0, {}  # the node died with the connection
    is_json = r.headers.get("content-type", "").endswith("json")
    return r.status_code, r.json() if is_json else {}  # nginx answers 502 in HTML


async def pay(http: httpx.AsyncClient, order_id: int, token: str) -> int:
    r = await http.post(
        f"/api/orders/{order_id}/pay",
        json={"card": GOOD_CARD},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )
    return r.status_code


async def wait_until(check: Callable[[], bool], seconds: float) -> None:
    """Poll a blocking check (it reads the database) off the event loop."""
    deadline = time.monotonic() + seconds
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.25)


def test_a_node_killed_mid_sale(cluster: Callable[..., Cluster]) -> None:
    """Invariants: no oversell; every order paid before or after the kill stays paid; units held
    by orders that were never paid (including ones the dead node took) expire and go back on
    sale, so the whole deal can still be sold."""
    c = cluster(2, **FAST_EXPIRY)
    victim, survivor = c.nodes

    async def scenario() -> tuple[int, list[int]]:
        limits = httpx.Limits(max_connections=200)
        async with (
            httpx.AsyncClient(base_url=c.url, timeout=30, limits=limits) as balanced,
            httpx.AsyncClient(base_url=survivor.url, timeout=30) as direct,
        ):
            sale = await prepare_sale(balanced, buyers=150, stock=UNITS, units=UNITS)
            tokens = sale.buyer_tokens
            first = [asyncio.create_task(buy(balanced, sale.deal_id, t)) for t in tokens[:100]]
            await asyncio.sleep(0.05)
            victim.proc.send_signal(signal.SIGKILL)  # mid-sale, no goodbye
            results = await asyncio.gather(*first)
            assert victim.proc.wait(5) == -signal.SIGKILL
            won = [(tokens[i], body) for i, (status, body) in enumerate(results) if status == 201]
            assert len(won) <= UNITS
            # half the winners pay, on the surviving node; the rest never do
            paid = [
                body["id"]
                for token, body in won[::2]
                if await pay(direct, body["id"], token) == 200
            ]
            assert paid
            assert_adds_up(await asyncio.to_thread(deal_counters, c, sale.deal_id))
            # unpaid holds expire; units the dead node took in Redis come back by re-sync
            await wait_until(
                lambda: deal_counters(c, sale.deal_id)["available"] == UNITS - len(paid), 30
            )
            # the rest of the deal sells to the remaining buyers, to the last unit, no more
            late = await asyncio.gather(*(buy(direct, sale.deal_id, t) for t in tokens[100:]))
            assert sum(status == 201 for status, _ in late) == UNITS - len(paid)
            return sale.deal_id, paid

    deal_id, paid = asyncio.run(scenario())
    final = deal_counters(c, deal_id)
    assert_adds_up(final)
    assert final["available"] == 0 and final["reserved"] + final["sold"] == UNITS
    states = [
        survivor.query("SELECT status FROM orders WHERE id = :id", id=order_id)[0][0]
        for order_id in paid
    ]
    assert states == ["paid"] * len(paid)


def test_redis_loses_its_state_mid_sale(cluster: Callable[..., Cluster]) -> None:
    """Invariants: when Redis forgets everything of this deployment in the middle of a sale (a
    flush, or a restart without persistence) nothing is oversold and the sale resumes: the
    stock engine rebuilds each deal from PostgreSQL before it takes another purchase."""
    c = cluster(2, **FAST_EXPIRY)
    client = redis.Redis.from_url(need_redis())

    def forget() -> None:
        for key in client.scan_iter(match=f"{c.redis_prefix}*"):
            client.delete(key)

    async def scenario() -> int:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=c.url, timeout=30, limits=limits) as balanced:
            sale = await prepare_sale(balanced, buyers=120, stock=UNITS, units=UNITS)
            tokens = sale.buyer_tokens
            first = await asyncio.gather(*(buy(balanced, sale.deal_id, t) for t in tokens[:10]))
            forget()
            rest = await asyncio.gather(*(buy(balanced, sale.deal_id, t) for t in tokens[10:]))
            statuses = [status for status, _ in first + rest]
            assert set(statuses) <= {201, 409}, statuses
            assert statuses.count(201) == UNITS  # resumed and sold out exactly
            return sale.deal_id

    try:
        deal_id = asyncio.run(scenario())
    finally:
        client.close()
    final = deal_counters(c, deal_id)
    assert_adds_up(final)
    assert (final["available"], final["reserved"]) == (0, UNITS)
