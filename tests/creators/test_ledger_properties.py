"""Property test of the commission ledger (hypothesis): for any sequence of paid orders (with
or without a coupon), partial and full refunds, roster changes, settlements and payouts,

- every posting balances and the balances add up to zero;
- each balance is the sum of its account's entries;
- the platform's commission expense is exactly sum(floor(net GMV x rate)) over the orders;
- host and MCN balances are what a plain model of the rounding rule predicts, and a payout
  succeeds exactly when that balance covers it (never more than is available).

Everything goes through the HTTP API and the real sweep; only the final reads are SQL."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hawker.creators.ledger import PLATFORM
from hawker.creators.models import LedgerBalance
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.creators.conftest import refund
from tests.orders.conftest import key

RATE = 1000  # the default commission, basis points
COUPON = "LEDGER7"  # 7 % off: orders' totals (what commission follows) are net of it
MIN_PAYOUT = 1000

ops = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(1, 3), st.booleans()),  # with a 7 % coupon?
        st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 100)),
        st.tuples(st.just("settle")),
        st.tuples(st.just("payout"), st.sampled_from(["host", "mcn"]), st.integers(1, 120)),
        st.tuples(st.just("roster"), st.sampled_from([0, 2500, 3333])),
    ),
    max_size=10,
)


class Model:
    """What the ledger should hold, from the rounding rule alone."""

    def __init__(self) -> None:
        self.orders: list[dict[str, Any]] = []  # id, total, refunded, share (frozen) or None
        self.share = 0  # current MCN share of the host
        self.paid_out = {"host": 0, "mcn": 0}
        self.settled: dict[int, int] = {}  # order id -> net at the last settlement

    def settle(self) -> None:
        for o in self.orders:
            net = o["total"] - o["refunded"]
            if o["share"] is None and net > 0:
                o["share"] = self.share
            if o["share"] is not None:
                self.settled[o["id"]] = net

    def earned(self, role: str) -> int:
        total = 0
        for o in self.orders:
            if o["id"] in self.settled:
                commission = self.settled[o["id"]] * RATE // 10_000
                mcn = commission * o["share"] // 10_000  # the documented rule, restated
                total += commission - mcn if role == "host" else mcn
        return total - self.paid_out[role]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
def test_the_ledger_always_reconciles(
    steps: list[tuple[Any, ...]],
    client: TestClient,
    sell: Callable[..., Any],
    shop: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    world = _world(client, shop, make_user)
    model: Model = world["model"]
    for step in steps:
        if step[0] == "buy":
            coupons = (COUPON,) if step[2] else ()
            _, order = sell(quantity=step[1], ctx=world["ctx"], coupons=coupons)
            assert order["discount"] == (step[1] * 1999 * 700 // 10_000 if step[2] else 0)
            model.orders.append(
                {"id": order["id"], "total": order["total"], "refunded": 0, "share": None}
            )
        elif step[0] == "refund" and model.orders:
            o = model.orders[step[1] % len(model.orders)]
            left = o["total"] - o["refunded"]
            if left:
                amount = None if step[2] == 100 else max(1, left * step[2] // 100)
                o["refunded"] = refund(world["ctx"], o["id"], amount)["refunded_amount"]
        elif step[0] == "settle":
            settle()
            model.settle()
        elif step[0] == "payout":
            role, api = step[1], world["ctx"]["host"] if step[1] == "host" else world["mcn"]
            available = model.earned(role)
            amount = max(1, available * step[2] // 100)
            r = api.post(
                "/api/earnings/payouts",
                json={"role": role, "currency": "USD", "amount": amount},
                headers=key(),
            )
            if amount < MIN_PAYOUT:
                assert r.status_code == 422, r.text
            elif amount > available:
                assert r.status_code == 409, r.text
            else:
                assert (r.status_code, r.json()["status"]) == (201, "paid"), r.text
                model.paid_out[role] += amount
        elif step[0] == "roster":
            model.share = step[1]
            body = {"mcn_id": world["mcn"].user["id"] if step[1] else None, "share_bps": step[1]}
            host_id = world["ctx"]["host"].user["id"]
            assert world["operator"].put(f"/api/hosts/{host_id}/mcn", json=body).status_code == 200
    settle()
    model.settle()
    _check(client, world, model)


def _world(
    client: TestClient, shop: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> dict[str, Any]:
    """One shop, host, MCN and operator for all examples: the model carries across them."""
    world: dict[str, Any] | None = getattr(client, "_ledger_world", None)
    if world is None:
        world = {
            "ctx": shop(stock=100_000, price=1999),
            "mcn": make_user("mcn"),
            "operator": make_user("operator"),
            "model": Model(),
        }
        issued = world["operator"].post(
            "/api/coupons",
            json={
                "kind": "platform",
                "code": COUPON,
                "percent_bps": 700,
                "per_user_limit": 1000,
                "starts_at": "2000-01-01T00:00:00Z",
                "ends_at": "2999-01-01T00:00:00Z",
            },
        )
        assert issued.status_code == 201, issued.text
        client._ledger_world = world  # type: ignore[attr-defined]
    return world


def _check(client: TestClient, world: dict[str, Any], model: Model) -> None:
    report = world["operator"].get("/api/operator/ledger/reconcile").json()
    assert report["ok"], str(report)  # postings balance, balances match entries, splits exact
    assert not any(report["totals"].values())  # every posting sums to zero
    rt = runtime_of(client.app)

    async def read() -> dict[str, int]:
        async with rt.db.read() as s:
            rows = await s.execute(select(LedgerBalance.account, LedgerBalance.balance))
            return {account: balance for account, balance in rows}

    kept = client.portal.call(read)  # type: ignore[union-attr]
    nets = [o["total"] - o["refunded"] for o in model.orders]
    assert -kept.get(PLATFORM, 0) == sum(net * RATE // 10_000 for net in nets)
    host, mcn = world["ctx"]["host"].user["id"], world["mcn"].user["id"]
    assert kept.get(f"host:{host}", 0) == model.earned("host")
    assert kept.get(f"mcn:{mcn}", 0) == model.earned("mcn")
    assert kept.get("payouts:in_transit", 0) == 0
    assert kept.get("payouts:paid", 0) == sum(model.paid_out.values())
