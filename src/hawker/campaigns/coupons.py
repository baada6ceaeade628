"""Coupons and promotions: operators issue platform coupons (the platform funds the
discount), merchants issue coupons on their own products (they fund it). Pricing an order is
coupon_pricing.py, using and returning uses is coupon_uses.py; the rules are in
docs/coupons.md. Every operator action on a coupon is audited (invariant 6).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit, snapshot
from hawker.accounts.models import User
from hawker.campaigns.coupon_errors import CouponCodeTaken, CouponNotFound
from hawker.campaigns.coupon_models import Coupon
from hawker.campaigns.coupon_uses import normalize
from hawker.campaigns.models import Campaign
from hawker.catalog.models import Merchant, Product
from hawker.catalog.service import access_merchant_for
from hawker.core.errors import Forbidden, NotFound


def check_operator(user: User) -> None:
    if not user.has_role("operator"):
        raise Forbidden("only operators issue platform coupons")


async def check_products(s: AsyncSession, product_ids: list[int], merchant_id: int | None) -> None:
    """Every product exists (and, for a merchant coupon, is the merchant's own)."""
    if not product_ids:
        return
    found = await s.execute(
        select(Product.id, Product.merchant_id).where(Product.id.in_(product_ids))
    )
    owners = {product_id: owner for product_id, owner in found}
    for product_id in product_ids:
        if product_id not in owners:
            raise NotFound(f"product {product_id} does not exist")
        if merchant_id is not None and owners[product_id] != merchant_id:
            raise Forbidden(f"product {product_id} belongs to another merchant")


async def check_merchants(s: AsyncSession, merchant_ids: list[int]) -> None:
    found = set(await s.scalars(select(Merchant.id).where(Merchant.id.in_(merchant_ids))))
    for merchant_id in merchant_ids:
        if merchant_id not in found:
            raise NotFound(f"merchant {merchant_id} does not exist")


async def do_create_coupon(s: AsyncSession, user: User, values: dict[str, Any]) -> Coupon:
    """A platform coupon (operators) or a merchant coupon (the caller's merchant)."""
    merchant_id = None
    if values["kind"] == "platform":
        check_operator(user)
    else:
        merchant_id = (await access_merchant_for(s, user)).id
    await check_products(s, values["product_ids"], merchant_id)
    await check_merchants(s, values["merchant_ids"])
    if values.get("campaign_id") is not None and not await s.get(Campaign, values["campaign_id"]):
        raise NotFound(f"campaign {values['campaign_id']} does not exist")
    coupon = Coupon(
        **(values | {"code": normalize(values["code"])}),
        merchant_id=merchant_id,
        created_by=user.id,
        uses=0,
        active=True,
    )
    s.add(coupon)
    try:
        async with s.begin_nested():
            await s.flush()
    except IntegrityError as e:
        raise CouponCodeTaken(f"coupon code {coupon.code} is taken", coupon=coupon.code) from e
    if user.has_role("operator"):
        await do_audit(s, user, "coupon.create", "coupon", coupon.id, after=snapshot(coupon))
    return coupon


async def access_coupon_to_manage(s: AsyncSession, user: User, coupon_id: int) -> Coupon:
    """Operators manage every coupon; a merchant only its own."""
    coupon = await s.get(Coupon, coupon_id)
    if coupon is None:
        raise CouponNotFound(f"there is no coupon {coupon_id}")
    if user.has_role("operator"):
        return coupon
    merchant = await s.scalar(select(Merchant.id).where(Merchant.owner_id == user.id))
    if coupon.merchant_id is None or coupon.merchant_id != merchant:
        raise CouponNotFound(f"you have no coupon {coupon_id}")
    return coupon


async def do_set_active(s: AsyncSession, user: User, coupon_id: int, active: bool) -> Coupon:
    """Stop (or restart) a coupon for new orders; orders that used it keep their discount."""
    coupon = await access_coupon_to_manage(s, user, coupon_id)
    before = snapshot(coupon)
    coupon.active = active
    await s.flush()
    if user.has_role("operator"):
        action = "coupon.restore" if active else "coupon.retire"
        await do_audit(s, user, action, "coupon", coupon.id, before=before, after=snapshot(coupon))
    return coupon


async def list_coupons(s: AsyncSession, user: User, kind: str | None = None) -> list[Coupon]:
    """Operators see every coupon (or one kind); a merchant sees its own."""
    stmt = select(Coupon).order_by(Coupon.id.desc()).limit(200)
    if user.has_role("operator"):
        if kind is not None:
            stmt = stmt.where(Coupon.kind == kind)
    else:
        merchant = await access_merchant_for(s, user)
        stmt = stmt.where(Coupon.merchant_id == merchant.id)
    return list(await s.scalars(stmt))
