"""Redis stock configured but unreachable: purchases are decided by the database alone, so the
sale goes on and still never oversells."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hawker.core.config import Settings
from tests.conftest import CHEAP_ARGON2, Api, assert_problem
from tests.deals.test_inventory import launch


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[arg-type]
        data_dir=tmp_path / "data", redis_url="redis://127.0.0.1:1/0", **CHEAP_ARGON2
    )


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
