"""Coupons at checkout, the orders side: pricing the lines of an order being placed, placing a
cart's coupons on the orders of its checkout, and quoting before anything is reserved.

A checkout of several merchants' products places one order per merchant; each coupon lands on
exactly one of them (so a refund or cancellation returns it with that order): a merchant
coupon on its merchant's order, the platform coupon (one per checkout) on the order where it
covers the most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.campaigns.coupon_errors import CouponNotApplicable, CouponStacking
from hawker.campaigns.coupon_pricing import Line, Pricing, eligible, price
from hawker.campaigns.coupon_uses import access_coupons
from hawker.catalog.models import Product, Sku
from hawker.core.errors import NotFound
from hawker.deals.models import FlashDeal
from hawker.orders.errors import MixedOrder
from hawker.orders.schemas import ItemIn

K = TypeVar("K")


async def price_order(
    s: AsyncSession, buyer: User, codes: Sequence[str], currency: str, lines: Sequence[Line]
) -> Pricing:
    """The order's discount with ``codes`` applied (none: no discount, no query)."""
    coupons = await access_coupons(s, buyer, codes) if codes else []
    return await price(s, coupons, currency, lines)


async def assign_codes(
    s: AsyncSession,
    buyer: User,
    codes: Sequence[str],
    groups: Mapping[K, tuple[str, Sequence[Line]]],
) -> dict[K, list[str]]:
    """Which order of a checkout each coupon goes on; ``groups`` maps each order to be placed
    to its currency and lines."""
    placed: dict[K, list[str]] = {key: [] for key in groups}
    if not codes:
        return placed
    coupons = await access_coupons(s, buyer, codes)
    if sum(c.kind == "platform" for c in coupons) > 1:
        raise CouponStacking("a checkout takes one platform coupon")
    for coupon in coupons:
        best: tuple[int, K] | None = None
        for key, (currency, lines) in groups.items():
            if currency != coupon.currency:
                continue
            covered = sum(lines[i].amount for i in await eligible(s, coupon, lines))
            if covered > 0 and (best is None or covered > best[0]):
                best = (covered, key)
        if best is None:
            raise CouponNotApplicable(
                f"coupon {coupon.code} does not cover anything in this checkout", coupon=coupon.code
            )
        placed[best[1]].append(coupon.code)
    return placed


async def item_lines(s: AsyncSession, items: Sequence[ItemIn]) -> tuple[str, list[Line]]:
    """Buy-now items as pricing sees them (at the deal price for a flash deal), for a quote."""
    lines, currencies = [], set()
    for item in items:
        stmt = select(Product.id, Product.merchant_id, Sku.price, Sku.currency).join(
            Sku, Sku.product_id == Product.id
        )
        if item.deal_id is not None:
            stmt = stmt.add_columns(FlashDeal.deal_price).join(
                FlashDeal, FlashDeal.sku_id == Sku.id
            )
            row = (await s.execute(stmt.where(FlashDeal.id == item.deal_id))).first()
        else:
            row = (await s.execute(stmt.where(Sku.id == item.sku_id))).first()
        if row is None:
            raise NotFound("deal or SKU not found: " + str(item.deal_id or item.sku_id))
        unit = row.deal_price if item.deal_id is not None else row.price
        lines.append(Line(row.id, row.merchant_id, unit * item.quantity))
        currencies.add(row.currency)
    if len(currencies) > 1 or len({line.merchant_id for line in lines}) > 1:
        raise MixedOrder("an order holds products of one merchant in one currency")
    return currencies.pop(), lines
