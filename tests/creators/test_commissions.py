"""Commissions: a paid order accrues to its host (and MCN), refunds reverse exactly what it
accrued, statements show it, and settling twice changes nothing."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Api, assert_problem
from tests.creators.conftest import refund


def balance(api: Api, role: str = "host") -> int:
    r = api.get("/api/earnings", params={"role": role})
    assert r.status_code == 200, r.text
    return int(r.json()["balances"].get("USD", 0))


def test_a_paid_order_accrues_ten_percent_rounded_down(
    sell: Callable[..., Any], settle: Callable[[], int]
) -> None:
    ctx, order = sell(price=1999, quantity=3)  # 5997 -> 599.7 -> 599
    settle()
    assert balance(ctx["host"]) == 599
    assert settle() == 0  # nothing moved since: nothing posted
    month = order["created_at"][:7]
    st = ctx["host"].get("/api/earnings/statement", params={"currency": "USD", "month": month})
    assert st.status_code == 200, st.text
    body = st.json()
    assert (body["opening"], body["closing"]) == (0, 599)
    assert [(x["kind"], x["order_id"], x["amount"]) for x in body["lines"]] == [
        ("commission", order["id"], 599)
    ]


def test_refunds_reverse_pro_rata_and_in_full(
    sell: Callable[..., Any], settle: Callable[[], int]
) -> None:
    ctx, order = sell(price=1999, quantity=3)
    settle()
    refund(ctx, order["id"], 1000)  # net 4997 -> 499
    settle()
    assert balance(ctx["host"]) == 499
    refund(ctx, order["id"])  # all of it
    settle()
    assert balance(ctx["host"]) == 0
    lines = (
        ctx["host"]
        .get(
            "/api/earnings/statement", params={"currency": "USD", "month": order["created_at"][:7]}
        )
        .json()["lines"]
    )
    assert [(x["kind"], x["amount"]) for x in lines] == [
        ("commission", 599),
        ("commission_reversal", -100),
        ("commission_reversal", -499),
    ]


def test_an_mcn_takes_its_share_and_keeps_it_for_orders_it_accrued(
    sell: Callable[..., Any],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    ctx, _ = sell(price=1000, quantity=1)  # settled before the roster: no split
    settle()
    operator, mcn = make_user("operator"), make_user("mcn")
    host_id = ctx["host"].user["id"]
    r = operator.put(
        f"/api/hosts/{host_id}/mcn", json={"mcn_id": mcn.user["id"], "share_bps": 3333}
    )
    assert r.json() == {"host_id": host_id, "mcn_id": mcn.user["id"], "share_bps": 3333}
    _, second = sell(quantity=3, ctx=ctx)  # commission 300: MCN 99, host 201
    settle()
    assert (balance(ctx["host"]), balance(mcn, "mcn")) == (100 + 201, 99)
    # the host leaves the MCN; refunding the second order still reverses the MCN's part
    operator.put(f"/api/hosts/{host_id}/mcn", json={"mcn_id": None})
    refund(ctx, second["id"])
    settle()
    assert (balance(ctx["host"]), balance(mcn, "mcn")) == (100, 0)


def test_roster_and_earnings_are_guarded(
    sell: Callable[..., Any], make_user: Callable[..., Api]
) -> None:
    ctx, _ = sell(price=1000, quantity=1)
    shopper, mcn, operator = make_user(), make_user("mcn"), make_user("operator")
    assert_problem(shopper.get("/api/earnings"), 403)
    assert_problem(ctx["host"].get("/api/earnings", params={"role": "mcn"}), 403)
    assert_problem(ctx["host"].get("/api/earnings", params={"role": "boss"}), 422)
    host_id = ctx["host"].user["id"]
    bad_share = {"mcn_id": mcn.user["id"], "share_bps": 10001}
    assert_problem(operator.put(f"/api/hosts/{host_id}/mcn", json=bad_share), 422)
    assert_problem(
        ctx["host"].put(f"/api/hosts/{host_id}/mcn", json={"mcn_id": mcn.user["id"]}), 403
    )
    not_mcn = {"mcn_id": shopper.user["id"], "share_bps": 10}
    assert_problem(operator.put(f"/api/hosts/{host_id}/mcn", json=not_mcn), 422)
    assert_problem(operator.put(f"/api/hosts/{shopper.user['id']}/mcn", json=not_mcn), 404)
    for month in ("2026-13", "26-11", "2026-00"):
        r = ctx["host"].get("/api/earnings/statement", params={"currency": "USD", "month": month})
        assert_problem(r, 422)
