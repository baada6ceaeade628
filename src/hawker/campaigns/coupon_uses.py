"""Using coupons and giving uses back. Limits hold under concurrency because every counter
moves in one conditional statement, never read-then-write:

- total:    UPDATE coupons SET uses = uses + 1 WHERE id = :id AND uses < total_limit ...
- per user: INSERT INTO coupon_users ... ON CONFLICT DO UPDATE SET uses = uses + 1
            WHERE uses + 1 <= per_user_limit
- return:   the redemption row moves held -> returned first, so a use goes back at most once.

Both run in the order's own unit: a refusal rolls back the order and its reserved stock.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.campaigns.coupon_errors import (
    CouponLimitReached,
    CouponNotActive,
    CouponNotFound,
    CouponUsedUp,
)
from hawker.campaigns.coupon_models import Coupon, CouponRedemption, CouponUser
from hawker.campaigns.coupon_pricing import Pricing
from hawker.core.clock import utcnow
from hawker.core.db import upsert_insert
from hawker.core.errors import Invalid


def normalize(code: str) -> str:
    return code.strip().upper()


async def access_coupons(s: AsyncSession, user: User, codes: Sequence[str]) -> list[Coupon]:
    """The coupons behind ``codes``, checked usable now by ``user``: active, in their window,
    not used up (a hint only: the redemption itself is what enforces the limits)."""
    wanted = [normalize(c) for c in codes]
    if len(set(wanted)) != len(wanted):
        raise Invalid("each coupon code counts once per order")
    found = {c.code: c for c in await s.scalars(select(Coupon).where(Coupon.code.in_(wanted)))}
    now = utcnow()
    coupons = []
    for code in wanted:
        coupon = found.get(code)
        if coupon is None:
            raise CouponNotFound(f"there is no coupon {code}", coupon=code)
        if not coupon.active or not coupon.starts_at <= now < coupon.ends_at:
            raise CouponNotActive(f"coupon {code} is not valid now", coupon=code)
        if coupon.total_limit is not None and coupon.uses >= coupon.total_limit:
            raise CouponUsedUp(f"coupon {code} has been fully used", coupon=code)
        mine = await s.scalar(
            select(CouponUser.uses).where(
                CouponUser.coupon_id == coupon.id, CouponUser.user_id == user.id
            )
        )
        if (mine or 0) >= coupon.per_user_limit:
            raise CouponLimitReached(f"you have already used coupon {code}", coupon=code)
        coupons.append(coupon)
    return coupons


async def do_redeem(s: AsyncSession, user: User, pricing: Pricing, order_id: int) -> None:
    """Take one use of each applied coupon for ``order_id``, or raise (the caller's unit rolls
    back the order with it)."""
    now = utcnow()
    for applied in pricing.applied:
        taken = await s.scalar(
            update(Coupon)
            .where(
                Coupon.id == applied.coupon_id,
                Coupon.active.is_(True),
                Coupon.starts_at <= now,
                Coupon.ends_at > now,
                (Coupon.total_limit.is_(None)) | (Coupon.uses < Coupon.total_limit),
            )
            .values(uses=Coupon.uses + 1)
            .returning(Coupon.per_user_limit)
        )
        if taken is None:
            raise CouponUsedUp(f"coupon {applied.code} has been fully used", coupon=applied.code)
        insert = upsert_insert(s)
        counted = await s.scalar(
            insert(CouponUser)
            .values(coupon_id=applied.coupon_id, user_id=user.id, uses=1)
            .on_conflict_do_update(
                index_elements=[CouponUser.coupon_id, CouponUser.user_id],
                set_={"uses": CouponUser.uses + 1},
                where=CouponUser.uses + 1 <= taken,
            )
            .returning(CouponUser.uses)
        )
        if counted is None:
            raise CouponLimitReached(
                f"you have already used coupon {applied.code}", coupon=applied.code
            )
        s.add(
            CouponRedemption(
                coupon_id=applied.coupon_id,
                order_id=order_id,
                user_id=user.id,
                amount=applied.amount,
                currency=pricing.currency,
                funded_by=applied.kind,
                state="held",
            )
        )
    await s.flush()


async def do_return_uses(s: AsyncSession, order_id: int) -> int:
    """Give back the coupon uses ``order_id`` holds (cancelled, expired or fully refunded
    orders); each at most once. Returns how many went back."""
    returned = (
        await s.execute(
            update(CouponRedemption)
            .where(CouponRedemption.order_id == order_id, CouponRedemption.state == "held")
            .values(state="returned")
            .returning(CouponRedemption.coupon_id, CouponRedemption.user_id)
        )
    ).all()
    for coupon_id, user_id in returned:
        await s.execute(update(Coupon).where(Coupon.id == coupon_id).values(uses=Coupon.uses - 1))
        await s.execute(
            update(CouponUser)
            .where(CouponUser.coupon_id == coupon_id, CouponUser.user_id == user_id)
            .values(uses=CouponUser.uses - 1)
        )
    return len(returned)


async def order_codes(s: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[str]]:
    """The coupon codes each order used (returned ones included), for display."""
    rows = await s.execute(
        select(CouponRedemption.order_id, Coupon.code)
        .join(Coupon, Coupon.id == CouponRedemption.coupon_id)
        .where(CouponRedemption.order_id.in_(order_ids))
        .order_by(CouponRedemption.id)
    )
    codes: dict[int, list[str]] = {}
    for order_id, code in rows:
        codes.setdefault(order_id, []).append(code)
    return codes
