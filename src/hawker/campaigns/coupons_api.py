"""Coupons API: operators issue platform coupons, merchants their own; both list and retire
theirs. Shoppers apply coupons at checkout (``coupons`` on POST /api/orders and
/api/cart/checkout; POST /api/coupons/quote prices them first, in orders.discounts_api)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.campaigns import coupons
from hawker.campaigns.coupon_schemas import CouponIn, CouponOut, CouponPatch
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["campaigns"])


@router.post("/coupons", status_code=201)
async def create_coupon(
    body: CouponIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> CouponOut:
    """``kind: platform`` needs an operator; ``kind: merchant`` the caller's merchant."""
    async with rt.db.write() as s:
        coupon = await coupons.do_create_coupon(s, user, body.model_dump())
        return CouponOut.model_validate(coupon)


@router.get("/coupons")
async def list_coupons(
    kind: Literal["platform", "merchant"] | None = Query(default=None),
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> list[CouponOut]:
    """Operators: every coupon (or one kind); merchants: their own, with uses so far."""
    async with rt.db.write() as s:  # a merchant record is made on first use
        return [CouponOut.model_validate(c) for c in await coupons.list_coupons(s, user, kind)]


@router.patch("/coupons/{coupon_id}")
async def change_coupon(
    coupon_id: int,
    body: CouponPatch,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> CouponOut:
    """Retire (``active: false``) or restore a coupon for orders placed from now on."""
    async with rt.db.write() as s:
        coupon = await coupons.do_set_active(s, user, coupon_id, body.active)
        return CouponOut.model_validate(coupon)
