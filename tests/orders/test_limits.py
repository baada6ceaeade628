"""The largest amounts and counts the API accepts are stored and summed exactly on every
backend: PostgreSQL's 32-bit INTEGER would refuse them where SQLite's 64-bit one does not."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from hawker.catalog.schemas import MAX_PRICE, MAX_STOCK
from hawker.infra.runtime import runtime_of
from hawker.orders.service import show_stats
from tests.conftest import Api, assert_problem
from tests.orders.conftest import buy, pay, sku_counts


def test_the_largest_price_times_the_largest_quantity_is_exact(
    client: TestClient, shop: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = shop(stock=500, price=MAX_PRICE)
    buyer, sku = ctx["buyer"], ctx["sku"]
    order = buy(buyer, [{"sku_id": sku, "quantity": 99}], show_id=ctx["show"]["id"])
    assert order.status_code == 201, order.text
    assert order.json()["total"] == 99 * MAX_PRICE
    assert pay(buyer, order.json()["id"]).status_code == 200
    twice = buy(buyer, [{"sku_id": sku, "quantity": 99}], show_id=ctx["show"]["id"])
    assert pay(buyer, twice.json()["id"]).status_code == 200

    async def stats() -> dict[str, Any]:
        async with runtime_of(client.app).db.read() as s:
            return await show_stats(s, ctx["show"]["id"])

    gmv = client.portal.call(stats)["gmv"]  # type: ignore[union-attr]
    assert gmv == 2 * 99 * MAX_PRICE and type(gmv) is int  # PostgreSQL sums BIGINT as NUMERIC

    events = make_user("operator").get("/api/analytics/events", params={"type": "purchase"})
    assert {e["value"] for e in events.json()} == {99 * MAX_PRICE}

    deal = ctx["host"].post(
        f"/api/shows/{ctx['show']['id']}/deals",
        json={"sku_id": sku, "deal_price": MAX_PRICE - 1, "quantity": 5},
    )
    assert deal.status_code == 201, deal.text
    won = buy(buyer, [{"deal_id": deal.json()["id"], "quantity": 1}])
    assert won.status_code == 201 and won.json()["total"] == MAX_PRICE - 1


def test_stock_beyond_the_limit_is_refused_and_changes_nothing(
    shop: Callable[..., dict[str, Any]],
) -> None:
    ctx = shop(stock=10)
    merchant, product, sku = ctx["merchant"], ctx["product"], ctx["sku"]
    step = 10_000_000
    for _ in range(MAX_STOCK // step - 1):
        r = merchant.post(f"/api/skus/{sku}/stock", json={"delta": step})
        assert r.status_code == 200, r.text
    top = MAX_STOCK - step + 10
    assert sku_counts(merchant, product["id"]) == (top, 0, 0)
    over = merchant.post(f"/api/skus/{sku}/stock", json={"delta": step})
    assert_problem(over, 409, "stock_limit")
    assert sku_counts(merchant, product["id"]) == (top, 0, 0)
    exact = merchant.post(f"/api/skus/{sku}/stock", json={"delta": MAX_STOCK - top})
    assert exact.status_code == 200 and exact.json()["available"] == MAX_STOCK
