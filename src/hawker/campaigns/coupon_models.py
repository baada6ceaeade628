"""Coupon tables: coupons, the uses each order holds, and each shopper's count of uses.

The counters ``coupons.uses`` and ``coupon_users.uses`` are only ever moved by conditional
UPDATEs (see campaigns/coupon_uses.py), so concurrent redemptions cannot pass a limit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import Base


class Coupon(Base):
    """A platform coupon (``merchant_id`` empty, funded by the platform) or a merchant coupon
    (funded by that merchant, for its own products only)."""

    __tablename__ = "coupons"
    __table_args__ = (
        CheckConstraint("(percent_bps IS NULL) <> (amount_off IS NULL)", name="one_discount"),
        CheckConstraint("total_limit IS NULL OR uses <= total_limit", name="uses_within_limit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # upper case
    kind: Mapped[str] = mapped_column(String(10))  # platform | merchant
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id"), nullable=True, index=True
    )
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(80), default="")
    currency: Mapped[str] = mapped_column(String(3))
    percent_bps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amount_off: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    min_spend: Mapped[int] = mapped_column(BigInteger, default=0)
    per_user_limit: Mapped[int] = mapped_column(Integer, default=1)
    total_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    # Eligibility: empty lists mean "any"; a campaign coupon covers its approved products.
    product_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    merchant_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id"), nullable=True, index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CouponRedemption(Base):
    """A coupon used by an order, with the discount it gave. ``state`` moves once, from
    ``held`` to ``returned``, which is what guards giving a use back at most once."""

    __tablename__ = "coupon_redemptions"
    __table_args__ = (UniqueConstraint("coupon_id", "order_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id"))
    order_id: Mapped[int] = mapped_column(Integer, index=True)  # orders sit above campaigns
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    funded_by: Mapped[str] = mapped_column(String(10))  # platform | merchant
    state: Mapped[str] = mapped_column(String(10), default="held")  # held | returned
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CouponUser(Base):
    """How many uses of a coupon a shopper holds (returned uses are taken off)."""

    __tablename__ = "coupon_users"

    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    uses: Mapped[int] = mapped_column(Integer, default=0)
