"""Operator console pages: the last week's numbers, accounts and roles, the audit log, host
tier rules, the creator fund."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts import audit
from hawker.accounts import service as accounts
from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import ROLES, User
from hawker.core.clock import utcnow
from hawker.core.money import CURRENCY_EXPONENT
from hawker.creators import fund, fund_api, tiers
from hawker.creators.console_metrics import daily_metrics
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


@router.get("/operator")
async def console(
    request: Request,
    q: str = Query(default="", max_length=100),
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    """Find accounts and grant roles; the latest audited actions below."""
    async with rt.db.read() as s:
        found = await accounts.search_users(s, q) if q.strip() else []
        recent = await audit.list_audit(s, limit=10)
        days = await daily_metrics(s, 7)
    return render(
        request,
        "operator/console.html",
        q=q,
        found=found,
        roles=ROLES,
        recent=recent,
        days=days,
    )


@router.get("/operator/audit")
async def audit_log(
    request: Request,
    action: str = Query(default="", max_length=60),
    target_type: str = Query(default="", max_length=30),
    target_id: str = Query(default="", max_length=40),
    actor_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    since: datetime | None = None,
    before_id: int | None = Query(default=None, ge=1, le=2**63 - 1),
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    filters = {"action": action, "target_type": target_type, "target_id": target_id}
    async with rt.db.read() as s:
        entries = await audit.list_audit(
            s, actor_id=actor_id, since=since, before_id=before_id, limit=PAGE, **filters
        )
    return render(
        request,
        "operator/audit.html",
        entries=entries,
        filters=filters | {"actor_id": actor_id or "", "since": since or ""},
        more=len(entries) == PAGE,
    )


PAGE = 50
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
