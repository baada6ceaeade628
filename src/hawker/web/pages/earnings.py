"""Earnings for hosts and MCNs: balances, the month's statement, payouts."""

from __future__ import annotations

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.money import CURRENCY_EXPONENT, format_money
from hawker.creators import earnings, ledger
from hawker.creators.schemas import Role
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()


@router.get("/earnings")
async def earnings_page(
    request: Request,
    role: Role = "host",
    month: str = Query(default="", pattern=r"^(\d{4}-\d{2})?$"),
    currency: str = Query(default="", pattern=r"^([A-Z]{3})?$"),
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    month = month or utcnow().strftime("%Y-%m")
    start, end = ledger.month_bounds(month)
    async with rt.db.read() as s:
        e = await earnings.earnings(s, user, role)
        currency = currency or next(iter(sorted(e.balances)), "USD")
        st = await ledger.statement(s, e.account, currency, start, end)
    return render(
        request,
        "earnings.html",
        role=role,
        month=month,
        currency=currency,
        balances={c: (a, format_money(a, c)) for c, a in sorted(e.balances.items())},
        statement=st,
        payouts=e.payouts,
        min_payout=format_money(rt.settings.min_payout, currency),
        currencies=list(CURRENCY_EXPONENT),
    )
