"""Pricing an order with coupons: which lines a coupon covers, the discount, and its
allocation to lines in whole minor units. Reads only; using a coupon is coupon_uses.py.

Rules (docs/coupons.md):
- at most one platform and one merchant coupon per order; the merchant coupon applies first,
  the platform coupon to what is left of its eligible lines;
- minimum spend counts the coupon's eligible lines at their price before any discount;
- percentage: floor(eligible amount left x bps / 10,000); fixed: the amount, capped at what
  is left of the eligible lines (a coupon never makes a line negative);
- allocation: pro rata by what is left of each eligible line, largest remainder (ties to the
  earlier line), so the shares sum exactly and each is within one minor unit of exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.campaigns.coupon_errors import (
    BelowMinimumSpend,
    CouponNotApplicable,
    CouponStacking,
)
from hawker.campaigns.coupon_models import Coupon
from hawker.campaigns.models import CampaignEntry

BPS = 10_000


async def campaign_products(s: AsyncSession, campaign_id: int) -> frozenset[int]:
    """The products a campaign coupon covers: those approved into the campaign."""
    return frozenset(
        await s.scalars(
            select(CampaignEntry.target_id).where(
                CampaignEntry.campaign_id == campaign_id,
                CampaignEntry.kind == "product",
                CampaignEntry.status == "approved",
            )
        )
    )


@dataclass(frozen=True)
class Line:
    """One order line as pricing sees it: amount is unit price x quantity."""

    product_id: int
    merchant_id: int
    amount: int


@dataclass(frozen=True)
class Applied:
    coupon_id: int
    code: str
    kind: str
    amount: int


@dataclass
class Pricing:
    """An order's discount: per coupon and per line (same order as the lines given)."""

    currency: str
    subtotal: int
    line_discounts: list[int]
    applied: list[Applied] = field(default_factory=list)

    @property
    def discount(self) -> int:
        return sum(a.amount for a in self.applied)

    @property
    def platform_discount(self) -> int:
        return sum(a.amount for a in self.applied if a.kind == "platform")

    @property
    def total(self) -> int:
        return self.subtotal - self.discount


def allocate(discount: int, amounts: Sequence[int]) -> list[int]:
    """Split ``discount`` (0 <= discount <= sum(amounts)) over ``amounts`` pro rata, largest
    remainder first, ties to the earlier amount."""
    total = sum(amounts)
    if not 0 <= discount <= total:
        raise ValueError("a discount lies between nothing and the whole amount")
    if discount == 0:
        return [0] * len(amounts)
    shares = [discount * a // total for a in amounts]
    rest = discount - sum(shares)
    by_remainder = sorted(range(len(amounts)), key=lambda i: (-(discount * amounts[i] % total), i))
    for i in by_remainder[:rest]:
        shares[i] += 1
    return shares


def coupon_discount(coupon: Coupon, left: int) -> int:
    """The discount ``coupon`` gives on ``left`` minor units of eligible lines."""
    if coupon.percent_bps is not None:
        return left * coupon.percent_bps // BPS
    return min(int(coupon.amount_off or 0), left)


async def eligible(s: AsyncSession, coupon: Coupon, lines: Sequence[Line]) -> list[int]:
    """Indexes of the lines ``coupon`` covers."""
    campaign = (
        await campaign_products(s, coupon.campaign_id) if coupon.campaign_id is not None else None
    )
    return [
        i
        for i, line in enumerate(lines)
        if (coupon.merchant_id is None or line.merchant_id == coupon.merchant_id)
        and (not coupon.product_ids or line.product_id in coupon.product_ids)
        and (not coupon.merchant_ids or line.merchant_id in coupon.merchant_ids)
        and (campaign is None or line.product_id in campaign)
    ]


def check_stacking(coupons: Sequence[Coupon]) -> None:
    kinds = [c.kind for c in coupons]
    if kinds.count("platform") > 1 or kinds.count("merchant") > 1:
        raise CouponStacking("an order takes at most one platform and one merchant coupon")


async def price(
    s: AsyncSession, coupons: Sequence[Coupon], currency: str, lines: Sequence[Line]
) -> Pricing:
    """Apply ``coupons`` (already checked valid now and for this shopper) to ``lines``."""
    check_stacking(coupons)
    amounts = [line.amount for line in lines]
    left = list(amounts)
    pricing = Pricing(currency, sum(amounts), [0] * len(lines))
    for coupon in sorted(coupons, key=lambda c: c.kind != "merchant"):
        if coupon.currency != currency:
            raise CouponNotApplicable(
                f"coupon {coupon.code} is for orders in {coupon.currency}", coupon=coupon.code
            )
        covered = await eligible(s, coupon, lines)
        base = sum(amounts[i] for i in covered)
        if not covered or base == 0:
            raise CouponNotApplicable(
                f"coupon {coupon.code} does not cover anything in this order", coupon=coupon.code
            )
        if base < coupon.min_spend:
            raise BelowMinimumSpend(
                f"coupon {coupon.code} needs a spend of {coupon.min_spend} on what it covers; "
                f"this order has {base}",
                coupon=coupon.code,
                min_spend=coupon.min_spend,
                spend=base,
            )
        amount = coupon_discount(coupon, sum(left[i] for i in covered))
        if amount == 0:
            raise CouponNotApplicable(
                f"coupon {coupon.code} gives nothing off this order", coupon=coupon.code
            )
        for i, share in zip(covered, allocate(amount, [left[i] for i in covered]), strict=True):
            left[i] -= share
            pricing.line_discounts[i] += share
        pricing.applied.append(Applied(coupon.id, coupon.code, coupon.kind, amount))
    return pricing
