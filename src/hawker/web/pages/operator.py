"""Operator pages (the console grows here): host tier rules, the creator fund."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.money import CURRENCY_EXPONENT
from hawker.creators import fund, fund_api, tiers
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
operator_user = require_role("operator")


@router.get("/operator/tiers")
async def tier_rules(
    request: Request, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        ladder = await tiers.list_tiers(s, include_inactive=True)
        holders = await tiers.holders(s)
    return render(
        request,
        "operator/tiers.html",
        tiers=sorted(ladder, key=lambda t: -t.rank),
        holders=holders,
        currencies=list(CURRENCY_EXPONENT),
    )


STATUS_BADGES = {
    "upcoming": "scheduled",
    "running": "live-s",
    "ended": "pending",
    "settled": "paid",
}


@router.get("/operator/fund")
async def creator_fund(
    request: Request, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    """Set a pool; past periods with each host's qualified watch time, share and payout."""
    async with rt.db.read() as s:
        periods = [await fund_api.period_out(s, p) for p in await fund.list_periods(s)]
    start = utcnow().replace(second=0, microsecond=0)
    return render(
        request,
        "operator/fund.html",
        periods=periods,
        badges=STATUS_BADGES,
        rules=fund.Rules.of(rt.settings),
        currencies=list(CURRENCY_EXPONENT),
        default_start=start.isoformat(timespec="minutes"),
        default_end=(start + timedelta(days=7)).isoformat(timespec="minutes"),
    )
