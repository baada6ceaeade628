"""Coupon limits over real HTTP: 1,000 shoppers (100 of them tapping twice at once) race for
a coupon with 100 uses against a running server. Exactly 100 orders use it, nobody more than
once, every refusal a clean 409; cancelled orders give their uses back to later shoppers."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import httpx2 as httpx
import pytest

from hawker.core.clock import utcnow
from hawker.sim.client import HawkerClient
from tests.conftest import LiveServer
from tests.web.conftest import make_operator

SHOPPERS = 1000
DOUBLE_TAPPERS = 100
USES = 100
PASSWORD = "correct horse battery"


async def setup(http: httpx.AsyncClient) -> tuple[int, list[HawkerClient]]:
    merchant = HawkerClient(http)
    await merchant.sign_up("m@example.com", PASSWORD, "Merchant", ["merchant"])
    product = await merchant.call(
        "POST",
        "/api/products",
        json={
            "title": "Festival tote",
            "skus": [{"name": "One", "price": 4000, "currency": "USD", "stock": 5000}],
        },
    )
    operator = HawkerClient(http)
    await operator.log_in("ops@example.com", PASSWORD)
    now = utcnow()
    await operator.call(
        "POST",
        "/api/coupons",
        json={
            "kind": "platform",
            "code": "RACE100",
            "percent_bps": 1500,
            "total_limit": USES,
            "per_user_limit": 1,
            "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
        },
    )
    gate = asyncio.Semaphore(64)

    async def shopper(i: int) -> HawkerClient:
        async with gate:
            client = HawkerClient(http)
            await client.sign_up(f"s{i}@example.com", PASSWORD, f"Shopper {i}", ["shopper"])
            return client

    shoppers = await asyncio.gather(*(shopper(i) for i in range(SHOPPERS + 5)))
    return int(product["skus"][0]["id"]), list(shoppers)


async def race(
    http: httpx.AsyncClient, sku_id: int, shoppers: list[HawkerClient]
) -> list[tuple[int, int, str, int]]:
    start = asyncio.Event()

    async def attempt(s: HawkerClient) -> tuple[int, int, str, int]:
        await start.wait()
        r = await http.post(
            "/api/orders",
            json={"items": [{"sku_id": sku_id, "quantity": 1}], "coupons": ["race100"]},
            headers=s.headers | {"Idempotency-Key": uuid.uuid4().hex},
        )
        body = r.json()
        return s.user["id"], r.status_code, body.get("code", ""), body.get("id", 0)

    tasks = [asyncio.create_task(attempt(s)) for s in shoppers + shoppers[:DOUBLE_TAPPERS]]
    await asyncio.sleep(0.2)  # every request waits at the gate
    start.set()
    return list(await asyncio.gather(*tasks))


@pytest.mark.slow
def test_a_coupon_with_100_uses_is_used_exactly_100_times(
    live_server: Callable[..., LiveServer],
) -> None:
    server = live_server(HAWKER_RESERVATION_TTL_SECONDS="600")
    make_operator(server.settings, "ops@example.com")

    async def scenario() -> tuple[list[tuple[int, int, str, int]], list[int]]:
        # idle connections are dropped before the server's 5 s keep-alive closes them: after
        # the long race, reusing one the server is closing fails with "server disconnected"
        limits = httpx.Limits(max_connections=SHOPPERS + DOUBLE_TAPPERS, keepalive_expiry=2.0)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=180) as http:
            sku_id, shoppers = await setup(http)
            results = await race(http, sku_id, shoppers[:SHOPPERS])
            by_user = {s.user["id"]: s for s in shoppers}
            winners = [(u, o) for u, status, _, o in results if status == 201]
            for user_id, order_id in winners[:5]:  # five change their minds
                await by_user[user_id].call("POST", f"/api/orders/{order_id}/cancel")
            late = []
            for s in shoppers[SHOPPERS:]:  # five newcomers get the returned uses
                r = await http.post(
                    "/api/orders",
                    json={"items": [{"sku_id": sku_id, "quantity": 1}], "coupons": ["RACE100"]},
                    headers=s.headers | {"Idempotency-Key": uuid.uuid4().hex},
                )
                late.append(r.status_code)
            return results, late

    results, late = asyncio.run(scenario())
    assert len(results) == SHOPPERS + DOUBLE_TAPPERS
    statuses = Counter(status for _, status, _, _ in results)
    assert statuses[201] == USES, statuses
    assert statuses[409] == len(results) - USES, statuses  # never a 500
    assert {code for _, status, code, _ in results if status == 409} <= {
        "coupon_used_up",
        "coupon_limit_reached",
    }
    assert max(Counter(u for u, status, _, _ in results if status == 201).values()) == 1
    assert late == [201] * 5

    [(uses,)] = server.query("SELECT uses FROM coupons WHERE code = 'RACE100'")
    held = server.query(
        "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM coupon_redemptions WHERE state = 'held'"
    )
    orders = server.query(
        "SELECT status, COUNT(*), SUM(discount), SUM(total) FROM orders GROUP BY status"
    )
    assert uses == USES and tuple(held[0]) == (USES, USES)
    assert {row[0]: tuple(row[1:]) for row in orders} == {
        "pending": (USES, USES * 600, USES * 3400),  # 15 % of 4000 each
        "cancelled": (5, 5 * 600, 5 * 3400),
    }
