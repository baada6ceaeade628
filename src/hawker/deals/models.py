"""Deals tables: flash deals, reservations and per-buyer counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import Base


class FlashDeal(Base):
    """quantity = available + reserved + sold while live, + returned once ended (units sent back
    to the SKU: its unsold stock at the end and reservations released after it)."""

    __tablename__ = "flash_deals"
    __table_args__ = (
        CheckConstraint("available >= 0", name="available_nonnegative"),
        CheckConstraint("reserved >= 0", name="reserved_nonnegative"),
        CheckConstraint("sold >= 0", name="sold_nonnegative"),
        CheckConstraint("deal_price > 0", name="price_positive"),
        Index("ix_flash_deals_status_ends", "status", "ends_at"),
        # at most one live deal per SKU, even when two launches race (PostgreSQL)
        Index(
            "uq_flash_deals_live_sku",
            "sku_id",
            unique=True,
            sqlite_where=text("status = 'live'"),
            postgresql_where=text("status = 'live'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), index=True)
    deal_price: Mapped[int] = mapped_column(BigInteger)
    original_price: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[int] = mapped_column(Integer)
    available: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    sold: Mapped[int] = mapped_column(Integer, default=0)
    per_buyer_limit: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(10), default="live")
    ended_reason: Mapped[str | None] = mapped_column(String(10), nullable=True)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Reservation(Base):
    """Stock held for a buyer between "buy" and payment."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_reservations_state_expires", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    deal_id: Mapped[int | None] = mapped_column(
        ForeignKey("flash_deals.id"), nullable=True, index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(10), default="held")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class DealBuyer(Base):
    """Units a buyer holds or bought in a deal: the per-buyer limit's counter."""

    __tablename__ = "deal_buyers"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_nonnegative"),)

    deal_id: Mapped[int] = mapped_column(ForeignKey("flash_deals.id"), primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
