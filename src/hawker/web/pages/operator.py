"""Operator pages (the console grows here): host tier rules."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.core.money import CURRENCY_EXPONENT
from hawker.creators import tiers
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
