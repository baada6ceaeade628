"""Coupon pages: operators' platform coupons (/operator/coupons) and a merchant's own
(/merchant/coupons), each a list with uses and a form to issue one. Issuing and retiring go
through the JSON API (``coupons.js``), which owns the rules and the audit."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.campaigns import coupons
from hawker.campaigns.coupon_schemas import CouponOut
from hawker.core.money import CURRENCY_EXPONENT
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()


async def _page(request: Request, user: User, rt: Runtime, kind: str) -> Response:
    async with rt.db.write() as s:  # a merchant record is made on first use
        found = await coupons.list_coupons(s, user, kind)
        rows = [CouponOut.model_validate(c) for c in found]
    return render(
        request, "coupons.html", coupons=rows, kind=kind, currencies=list(CURRENCY_EXPONENT)
    )


@router.get("/operator/coupons")
async def platform_coupons(
    request: Request, user: User = Depends(require_role("operator")), rt: Runtime = Depends(runtime)
) -> Response:
    return await _page(request, user, rt, "platform")


@router.get("/merchant/coupons")
async def merchant_coupons(
    request: Request, user: User = Depends(require_role("merchant")), rt: Runtime = Depends(runtime)
) -> Response:
    return await _page(request, user, rt, "merchant")
