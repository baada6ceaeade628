"""Console metrics by day: live's share of net GMV (sales read model, refunds included),
active buyers and watch time (event log), with quiet days present as zeros."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.analytics.service import record
from hawker.core.clock import clock
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.creators.conftest import refund
from tests.orders.conftest import buy, pay


@pytest.fixture
def _reset_clock() -> Iterator[None]:
    yield
    clock.offset_seconds = 0


def watched(client: TestClient, *views: tuple[str, int]) -> None:
    """Room leaves and short-video views as the room socket and the clip player log them."""
    rt = runtime_of(client.app)

    async def log() -> None:
        async with rt.db.write() as s:
            for type, ms in views:
                await record(s, type, user_id=1, value=ms)
            await record(s, "chat", user_id=1)  # not watch time

    client.portal.call(log)  # type: ignore[union-attr]


def test_daily_metrics(
    _reset_clock: None,
    client: TestClient,
    make_user: Callable[..., Api],
    shop: Callable[..., dict[str, Any]],
    sell: Callable[..., Any],
    settle: Callable[[], int],
) -> None:
    ops = make_user("operator")
    clock.offset_seconds = -86_400  # yesterday: one live sale, one room watched
    ctx, _ = sell(quantity=1, ctx=shop(stock=50, price=1000))
    watched(client, ("room.leave", 60_000))
    clock.offset_seconds = 0
    sell(quantity=3, ctx=ctx)  # today, live: 3000 by the same buyer
    other = shop(stock=50, price=700)
    order = buy(other["buyer"], [{"sku_id": other["sku"], "quantity": 1}]).json()
    pay(other["buyer"], order["id"])  # today, direct: 700
    _, gone = sell(quantity=1, ctx=other)  # live 700, refunded in full below
    refund(other, gone["id"])
    watched(client, ("room.leave", 5_000), ("video.view", 2_500))
    settle()  # the sweep brings sales up to date every few seconds

    r = ops.get("/api/operator/metrics", params={"days": 3})
    assert r.status_code == 200, r.text
    days = r.json()["days"]
    assert [d["day"] for d in days] == sorted(d["day"] for d in days) and len(days) == 3
    quiet, yesterday, today = days
    assert quiet == {"day": quiet["day"], "gmv": [], "active_buyers": 0, "watch_ms": 0}
    assert yesterday["gmv"] == [
        {"currency": "USD", "gmv": 1000, "live": 1000, "live_share_bps": 10000}
    ]
    assert (yesterday["active_buyers"], yesterday["watch_ms"]) == (1, 60_000)
    assert today["gmv"] == [{"currency": "USD", "gmv": 3700, "live": 3000, "live_share_bps": 8108}]
    assert (today["active_buyers"], today["watch_ms"]) == (2, 7_500)
    assert len(ops.get("/api/operator/metrics").json()["days"]) == 14
