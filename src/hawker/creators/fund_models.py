"""Creator fund tables: operators' pools per period and what each host was paid from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import Base


class FundPeriod(Base):
    """A pool of money, in one currency, paid out to hosts pro rata to the qualified watch
    time of their short videos in [starts_at, ends_at). Periods of a currency never overlap.
    ``settled_at`` is set once, by the run that pays the period out (it claims the row)."""

    __tablename__ = "creator_fund_periods"
    __table_args__ = (
        CheckConstraint("pool > 0", name="pool_positive"),
        CheckConstraint("starts_at < ends_at", name="period_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    pool: Mapped[int] = mapped_column(BigInteger)  # minor units
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)  # the pool, or 0 if nobody qualified
    qualified_ms: Mapped[int] = mapped_column(BigInteger, default=0)


class FundShare(Base):
    """One host's part of a settled period: the watch time that earned it and the amount."""

    __tablename__ = "creator_fund_shares"

    period_id: Mapped[int] = mapped_column(ForeignKey("creator_fund_periods.id"), primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    qualified_ms: Mapped[int] = mapped_column(BigInteger)
    views: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
