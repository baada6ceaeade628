"""Payouts: never more than the balance (also under concurrent requests), at least the
minimum, once per Idempotency-Key, and a payout a crash left halfway is finished exactly once."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hawker.core.clock import clock
from hawker.core.idempotency import Keyed
from hawker.creators import earnings, payouts
from hawker.creators.errors import InsufficientBalance
from hawker.creators.ledger import IN_TRANSIT, PAID_OUT, balance
from hawker.creators.models import LedgerBalance
from hawker.infra.runtime import runtime_of
from tests.conftest import assert_problem
from tests.creators.test_commissions import balance as earned
from tests.orders.conftest import key


def _earn(sell: Callable[..., Any], settle: Callable[[], int]) -> dict[str, Any]:
    ctx, _ = sell(price=10000, quantity=3)  # commission 3000
    settle()
    return ctx


def test_payout_rules(sell: Callable[..., Any], settle: Callable[[], int]) -> None:
    ctx = _earn(sell, settle)
    host = ctx["host"]
    below = host.post(
        "/api/earnings/payouts", json={"currency": "USD", "amount": 999}, headers=key()
    )
    assert_problem(below, 422, "payout_below_minimum")
    over = host.post(
        "/api/earnings/payouts", json={"currency": "USD", "amount": 3001}, headers=key()
    )
    body = assert_problem(over, 409, "insufficient_balance")
    assert body["available"] == 3000
    k = key()
    paid = host.post("/api/earnings/payouts", json={"currency": "USD", "amount": 1200}, headers=k)
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "paid" and paid.json()["provider_ref"].startswith("po_")
    again = host.post("/api/earnings/payouts", json={"currency": "USD", "amount": 1200}, headers=k)
    assert again.json() == paid.json()
    assert earned(host) == 1800
    rest = host.post("/api/earnings/payouts", json={"currency": "USD"}, headers=key())
    assert rest.json()["amount"] == 1800 and earned(host) == 0
    history = host.get("/api/earnings").json()["payouts"]
    assert [p["amount"] for p in history] == [1800, 1200]
    assert_problem(host.post("/api/earnings/payouts", json={"currency": "usd"}, headers=key()), 422)
    assert_problem(host.post("/api/earnings/payouts", json={"currency": "USD"}), 400)


def test_concurrent_payouts_never_overdraw(
    client: TestClient, sell: Callable[..., Any], settle: Callable[[], int]
) -> None:
    """Twenty requests at once, each for 60 % of the balance: exactly one is paid."""
    ctx = _earn(sell, settle)
    rt = runtime_of(client.app)
    host_id = ctx["host"].user["id"]

    async def race() -> list[Any]:
        from hawker.accounts.models import User

        async with rt.db.read() as s:
            user = await s.get(User, host_id)
        assert user is not None
        calls = [
            earnings.pay_out(rt, user, "host", "USD", 1800, Keyed(host_id, f"k{i}", "f"), "/x")
            for i in range(20)
        ]
        return await asyncio.gather(*calls, return_exceptions=True)

    results = client.portal.call(race)  # type: ignore[union-attr]
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * 19, results
    assert earned(ctx["host"]) == 1200


def test_a_payout_left_halfway_is_finished_once(
    client: TestClient, sell: Callable[..., Any], settle: Callable[[], int]
) -> None:
    ctx = _earn(sell, settle)
    rt = runtime_of(client.app)
    host_id = ctx["host"].user["id"]

    async def step_one_then_crash() -> int:
        async with rt.db.write() as s:
            p = await payouts.do_request_payout(s, host_id, f"host:{host_id}", "USD", 2000, 1000)
            return p.id

    async def sweep() -> int:
        return await earnings.retry_stuck_payouts(rt)

    async def ledger() -> tuple[int, int, int]:
        async with rt.db.read() as s:
            total = await s.scalar(select(func.sum(LedgerBalance.balance)))
            return (await balance(s, IN_TRANSIT, "USD"), await balance(s, PAID_OUT, "USD"), total)

    call = client.portal.call  # type: ignore[union-attr]
    payout_id = call(step_one_then_crash)
    assert earned(ctx["host"]) == 1000
    assert call(ledger) == (2000, 0, 0)
    assert call(sweep) == 0  # too fresh: its request may still be running
    clock.offset_seconds = 120
    try:
        assert call(sweep) == 1
        assert call(sweep) == 0
    finally:
        clock.offset_seconds = 0
    assert call(ledger) == (0, 2000, 0)
    history = ctx["host"].get("/api/earnings").json()["payouts"]
    assert [(p["id"], p["status"]) for p in history] == [(payout_id, "paid")]
    # the whole balance is not enough for another 2000
    with pytest.raises(InsufficientBalance):
        call(step_one_then_crash)
