"""Campaign tables: festivals, the entries merchants and hosts apply with (and the show
schedule operators import), traffic boosts with their daily impression counts, and the GMV
read model the outbox consumer keeps per campaign and order."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import BIG_ID, Base

ENTRY_KINDS = ("product", "show")
ENTRY_STATUSES = ("pending", "approved", "rejected")
BOOST_KINDS = ("show", "video", "product", "host")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    theme_colour: Mapped[str] = mapped_column(String(7), default="#ff4d2e")
    banner_url: Mapped[str] = mapped_column(String(500), default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CampaignEntry(Base):
    """A product (with its deal price) or a show (with its slot) in a campaign. Merchants and
    hosts apply (pending); operators approve or reject; an imported schedule is approved."""

    __tablename__ = "campaign_entries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "target_id"),
        Index("ix_campaign_entries_target", "kind", "target_id"),
        Index("ix_campaign_entries_host_slot", "host_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # product | show
    target_id: Mapped[int] = mapped_column(Integer)  # products.id or shows.id
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"), nullable=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    deal_price: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # minor units
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # show slot
    ends_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Boost(Base):
    """Extra front-page traffic for one item: its score times ``multiplier``, never lifted past
    ``score_cap``, shown boosted at most ``daily_budget`` times a UTC day (paced, see
    ``campaigns/boosts.py``)."""

    __tablename__ = "boosts"
    __table_args__ = (Index("ix_boosts_target", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # show | video | product | host
    target_id: Mapped[int] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=True, index=True
    )
    multiplier: Mapped[float] = mapped_column(Float)
    score_cap: Mapped[float | None] = mapped_column(Float, nullable=True)
    daily_budget: Mapped[int] = mapped_column(Integer)  # boosted impressions per UTC day
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BoostDay(Base):
    """Boosted impressions of one boost on one UTC day (the budget and the report)."""

    __tablename__ = "boost_days"

    boost_id: Mapped[int] = mapped_column(
        ForeignKey("boosts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    impressions: Mapped[int] = mapped_column(Integer, default=0)


class CampaignSale(Base):
    """One paid order's share of a campaign, at its latest net (refunds lower it): ``gmv`` from
    approved participants, ``boosted_gmv`` from the campaign's boosted items. Built from
    ``order.money`` events."""

    __tablename__ = "campaign_sales"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    order_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    gmv: Mapped[int] = mapped_column(BigInteger)  # minor units
    boosted_gmv: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(DateTime)
    last_event_id: Mapped[int] = mapped_column(BIG_ID)
