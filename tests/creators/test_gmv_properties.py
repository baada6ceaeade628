"""Property test of the big screen's hour groups (hypothesis): for any sequence of paid orders
(live and direct), partial and full refunds and sweeps, through the API and the real
consumer, ``sales_hours`` holds exactly the sums of ``sales`` per group: the net to the minor
unit, and the orders with something left paid. Settling twice changes nothing."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hawker.creators.gmv import hour_of
from hawker.creators.models import Sale, SalesHour
from hawker.infra.runtime import runtime_of
from tests.creators.conftest import refund
from tests.orders.conftest import buy, pay

steps = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(1, 3), st.sampled_from(["live", "direct"])),
        st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 4000)),
        st.tuples(st.just("settle")),
    ),
    max_size=8,
)


def groups(client: TestClient) -> tuple[dict[tuple[Any, ...], tuple[int, int]], ...]:
    rt = runtime_of(client.app)

    async def read() -> tuple[dict[tuple[Any, ...], tuple[int, int]], ...]:
        async with rt.db.read() as s:
            expected: dict[tuple[Any, ...], tuple[int, int]] = {}
            for r in await s.scalars(select(Sale)):
                key = (hour_of(r.paid_at), r.currency, r.channel, r.host_id or 0,
                       r.merchant_id, r.show_id or 0)  # fmt: skip
                net, orders = expected.get(key, (0, 0))
                expected[key] = (net + r.net, orders + (r.net > 0))
            kept = {
                (h.hour, h.currency, h.channel, h.host_id, h.merchant_id, h.show_id): (
                    h.net,
                    h.orders,
                )
                for h in await s.scalars(select(SalesHour))
            }
            return expected, kept

    result: tuple[dict[tuple[Any, ...], tuple[int, int]], ...] = client.portal.call(read)  # type: ignore[union-attr]
    return result


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_hour_groups_are_the_sums_of_sales(
    plan: list[tuple[Any, ...]],
    client: TestClient,
    shop: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
) -> None:
    ctx = shop(stock=200, price=1234)
    orders: list[int] = []
    for step in plan:
        if step[0] == "buy":
            _, quantity, channel = step
            extra = {"show_id": ctx["show"]["id"]} if channel == "live" else {}
            order = buy(ctx["buyer"], [{"sku_id": ctx["sku"], "quantity": quantity}], **extra)
            assert pay(ctx["buyer"], order.json()["id"]).status_code == 200
            orders.append(order.json()["id"])
        elif step[0] == "refund" and orders:
            order_id = orders[step[1] % len(orders)]
            state = ctx["buyer"].get(f"/api/orders/{order_id}").json()
            left = state["total"] - state["refunded_amount"]
            if left > 0:
                refund(ctx, order_id, min(step[2], left))
        elif step[0] == "settle":
            settle()
    settle()
    expected, kept = groups(client)
    assert {k: v for k, v in kept.items() if v != (0, 0)} == {
        k: v for k, v in expected.items() if v != (0, 0)
    }
    settle()
    assert groups(client)[1] == kept
