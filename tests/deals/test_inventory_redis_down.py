"""Redis stock configured but unreachable: purchases are decided by the database alone, so the
sale goes on and still never oversells."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.deals.stock import SERVICE, DealStock
from hawker.infra.inventory_redis import RedisInventory
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem
from tests.deals.test_inventory import launch


@pytest.fixture
def stock_redis_down(client: TestClient) -> None:
    """The Redis stock engine installed against a Redis that is not there (the rest of the
    deployment would not start without its Redis, so only the engine is pointed away)."""
    rt = runtime_of(client.app)
    inventory = RedisInventory.from_url("redis://127.0.0.1:1/0", prefix="down:")
    rt.services[SERVICE] = DealStock(inventory, rt.db)


@pytest.mark.usefixtures("stock_redis_down")
def test_unreachable_redis_falls_back_to_the_database(
    deal_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = deal_show(stock=10)
    deal = launch(ctx, quantity=2, per_buyer_limit=1)
    body = {"items": [{"deal_id": deal["id"], "quantity": 1}]}
    for i in range(2):
        r = make_user().post("/api/orders", json=body, headers={"Idempotency-Key": f"k{i}"})
        assert r.status_code == 201, r.text
    r = make_user().post("/api/orders", json=body, headers={"Idempotency-Key": "late"})
    assert_problem(r, 409, "deal_sold_out")
    assert ctx["host"].get(f"/api/deals/{deal['id']}").json()["left"] == 0
