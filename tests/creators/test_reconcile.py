"""The ledger reconciliation operators (and the demo's test) run: clean books pass, and each
kind of drift is named (an earner in debt is reported, not a failure)."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from hawker.creators.models import CommissionAccrual, LedgerBalance, LedgerEntry
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem
from tests.creators.conftest import refund
from tests.creators.test_commissions import balance


def test_clean_books_pass_and_drift_is_named(
    client: TestClient,
    sell: Callable[..., Any],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    operator = make_user("operator")
    ctx, first = sell(price=1999, quantity=3)
    _, second = sell(ctx=ctx)
    refund(ctx, first["id"], 1000)
    settle()
    report = operator.get("/api/operator/ledger/reconcile").json()
    assert report["ok"] and report["orders"] == 2 and report["totals"] == {"USD": 0}
    assert_problem(ctx["host"].get("/api/operator/ledger/reconcile"), 403)

    host, earned = f"host:{ctx['host'].user['id']}", balance(ctx["host"])
    rt = runtime_of(client.app)

    async def tamper() -> None:
        async with rt.db.write() as s:
            await s.execute(
                update(LedgerBalance).where(LedgerBalance.account == host).values(balance=-5)
            )
            await s.execute(
                update(CommissionAccrual)
                .where(CommissionAccrual.order_id == second["id"])
                .values(commission=CommissionAccrual.commission + 1)
            )
            await s.execute(
                update(LedgerEntry).where(LedgerEntry.id == 1).values(amount=LedgerEntry.amount + 7)
            )

    client.portal.call(tamper)  # type: ignore[union-attr]
    report = operator.get("/api/operator/ledger/reconcile").json()
    assert not report["ok"]
    assert report["in_debt"] == [f"{host} USD"]
    assert f"{host} USD" in report["drifted_balances"]
    assert report["miscomputed_orders"] == [second["id"]]
    assert second["id"] in report["unposted_orders"]
    assert len(report["unbalanced_transactions"]) == 1
    assert report["totals"] == {"USD": -5 - earned}  # the host's balance was all that moved
