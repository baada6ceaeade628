"""Orders tables: orders and lines, carts, refunds, payment events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hawker.core.clock import utcnow
from hawker.core.db import Base


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_status_expires", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[int] = mapped_column(BigInteger)  # what the shopper pays: net of discount
    # Coupons (campaigns/coupons.py): the whole discount, and the part the platform funds.
    discount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    platform_discount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Attribution, decided once at creation.
    channel: Mapped[str] = mapped_column(String(10))
    show_id: Mapped[int | None] = mapped_column(ForeignKey("shows.id"), nullable=True, index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    payment_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # channel "video": the short video that sold it (its host is ``host_id``)
    video_id: Mapped[int | None] = mapped_column(
        ForeignKey("short_videos.id"), nullable=True, index=True
    )
    # an order won by a host's affiliate link (last touch; see orders/attribution.py)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("affiliate_links.id"), nullable=True)
    # the front-page section whose item the buyer clicked before buying (see FeedClick)
    section_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    lines: Mapped[list[OrderLine]] = relationship(lazy="selectin", order_by="OrderLine.id")


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("flash_deals.id"), nullable=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservations.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    # this line's share of the order's coupon discount (allocated pro rata, whole minor units)
    discount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    title: Mapped[str] = mapped_column(String(200))


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("user_id", "sku_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OrderRefund(Base):
    """One refund applied to an order, keyed by the reference the provider knows it by, so the
    API's own record and the provider's webhook for the same refund count it once."""

    __tablename__ = "order_refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    ref: Mapped[str] = mapped_column(String(160), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PaymentEvent(Base):
    """Webhook events already applied, keyed by the provider's event id."""

    __tablename__ = "payment_events"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    type: Mapped[str] = mapped_column(String(30))
    payment_id: Mapped[str] = mapped_column(String(40), index=True)
    order_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
