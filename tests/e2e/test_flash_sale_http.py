"""Invariant 1 over real HTTP: hundreds of concurrent buyers against a running server race for
a 50-unit flash deal. Exactly 50 reservations, never negative, nobody over the limit; unpaid
reservations expire through the background job and their units go back on sale."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest

from hawker.sim.flash_sale import prepare_sale
from tests.conftest import LiveServer

BUYERS = 500
DOUBLE_DIPPERS = 100  # buyers who fire two requests at once to test the per-buyer limit
UNITS = 50


def counters(server: LiveServer, deal_id: int) -> dict[str, Any]:
    deal = server.query(
        "SELECT available, reserved, sold, quantity FROM flash_deals WHERE id = :deal",
        deal=deal_id,
    )[0]
    per_buyer = server.query(
        "SELECT buyer_id, SUM(quantity) FROM reservations WHERE "
        "deal_id = :deal AND state IN ('held', 'paid') GROUP BY buyer_id",
        deal=deal_id,
    )
    states = server.query(
        "SELECT state, COUNT(*) FROM reservations WHERE deal_id = :deal GROUP BY state",
        deal=deal_id,
    )
    return {
        "deal": tuple(deal),
        "max_per_buyer": max((q for _, q in per_buyer), default=0),
        "states": dict(states),
    }


async def race(
    http: httpx.AsyncClient, deal_id: int, tokens: list[str], payers: int
) -> list[tuple[str, int, str, int]]:
    """Everyone taps Buy at once; the first ``payers`` winners pay as soon as they win (so
    the reservation TTL need not outlast the whole race on a loaded machine)."""
    start = asyncio.Event()
    paying = iter(range(payers))

    async def attempt(token: str) -> tuple[str, int, str, int]:
        await start.wait()
        auth = {"Authorization": f"Bearer {token}"}
        r = await http.post(
            "/api/orders",
            json={"items": [{"deal_id": deal_id, "quantity": 1}]},
            headers=auth | {"Idempotency-Key": uuid.uuid4().hex},
        )
        body = r.json()
        if r.status_code == 201 and next(paying, None) is not None:
            paid = await http.post(
                f"/api/orders/{body['id']}/pay",
                json={"card": "4242424242424242"},
                headers=auth | {"Idempotency-Key": uuid.uuid4().hex},
            )
            assert paid.status_code == 200, paid.text
        return token, r.status_code, body.get("code", ""), body.get("id", 0)

    tasks = [asyncio.create_task(attempt(t)) for t in tokens + tokens[:DOUBLE_DIPPERS]]
    await asyncio.sleep(0.2)  # every request is parked at the gate
    start.set()
    return list(await asyncio.gather(*tasks))


@pytest.mark.slow
def test_hundreds_of_concurrent_buyers_never_oversell(
    live_server: Callable[..., LiveServer],
) -> None:
    # A winner pays at once, yet its payment queues behind the burst: 5-15 s on PostgreSQL on
    # this loaded 2-core machine (bench/RESULTS.md), so the hold must outlast that.
    server = live_server(HAWKER_RESERVATION_TTL_SECONDS="20", HAWKER_EXPIRY_SWEEP_SECONDS="0.5")

    async def scenario() -> tuple[int, list[tuple[str, int, str, int]]]:
        limits = httpx.Limits(max_connections=BUYERS + DOUBLE_DIPPERS)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=120) as http:
            sale = await prepare_sale(http, buyers=BUYERS, stock=200, units=UNITS)
            deal_id, tokens = sale.deal_id, sale.buyer_tokens
            results = await race(http, deal_id, tokens, payers=20)  # 30 let it lapse
            return deal_id, results

    deal_id, results = asyncio.run(scenario())
    assert len(results) == BUYERS + DOUBLE_DIPPERS
    statuses = Counter(status for _, status, _, _ in results)
    assert statuses[201] == UNITS, statuses
    assert statuses[409] == len(results) - UNITS, statuses  # refusals are clean, never a 500
    assert {code for _, status, code, _ in results if status == 409} <= {
        "deal_sold_out",
        "buyer_limit_exceeded",
    }
    winners = Counter(token for token, status, _, _ in results if status == 201)
    assert max(winners.values()) == 1  # nobody over their limit

    state = counters(server, deal_id)
    available, reserved, sold, quantity = state["deal"]
    assert sold == 20 and quantity == UNITS  # the unpaid 30: still held, or already expired
    assert available + reserved == UNITS - 20 and reserved + sold <= UNITS
    assert state["max_per_buyer"] == 1

    deadline = time.monotonic() + 60  # the expiry job returns the 30 lapsed units
    while time.monotonic() < deadline:
        state = counters(server, deal_id)
        if state["deal"][:3] == (UNITS - 20, 0, 20):
            break
        time.sleep(0.5)
    assert state["deal"][:3] == (UNITS - 20, 0, 20), state
    assert state["states"] == {"paid": 20, "expired": UNITS - 20}
