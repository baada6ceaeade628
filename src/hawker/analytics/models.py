"""The append-only event log: room joins and leaves, likes, chats, product views, purchases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import BIG_ID, Base


class Event(Base):
    __tablename__ = "events"
    # a shopper's recent touches, newest first, for last-touch attribution
    __table_args__ = (Index("ix_events_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    show_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    product_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    order_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    value: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # GMV of a purchase
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
