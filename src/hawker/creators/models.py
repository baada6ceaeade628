"""Creators tables: follows, the commission ledger (append-only, double-entry), payouts, MCN
rosters, the sales read model behind leaderboards and tiers, and host profiles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import BIG_ID, Base


class LedgerTransaction(Base):
    """One posting: its entries sum to zero per currency. Never updated nor deleted; a
    correction is a new transaction."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # commission | payout | creator_fund | ...
    order_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    payout_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    fund_period_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(String(40), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)  # signed minor units
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LedgerBalance(Base):
    """Running balance of an account, kept with each posting so that a payout can take from it
    with one conditional update (never below zero), on SQLite and PostgreSQL alike."""

    __tablename__ = "ledger_balances"

    account: Mapped[str] = mapped_column(String(40), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)


class CommissionAccrual(Base):
    """What the ledger holds for one order: the net GMV it last accounted for and the split
    it made, with the rate and share frozen when the order was first settled. (The order is
    referred to by id only: creators learn of orders through the outbox, never their tables.)"""

    __tablename__ = "commission_accruals"

    order_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    mcn_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate_bps: Mapped[int] = mapped_column(Integer)
    share_bps: Mapped[int] = mapped_column(Integer)
    basis: Mapped[int] = mapped_column(BigInteger, default=0)  # net GMV accounted for
    commission: Mapped[int] = mapped_column(BigInteger, default=0)
    mcn_share: Mapped[int] = mapped_column(BigInteger, default=0)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)  # outbox event applied
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Payout(Base):
    __tablename__ = "payouts"
    __table_args__ = (CheckConstraint("amount > 0", name="payout_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # paid | failed
    provider_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class McnMembership(Base):
    """A host on an MCN's roster (at most one MCN per host) and the MCN's share of the host's
    commission, in basis points."""

    __tablename__ = "mcn_memberships"
    __table_args__ = (CheckConstraint("share_bps BETWEEN 0 AND 10000", name="share_range"),)

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    mcn_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    share_bps: Mapped[int] = mapped_column(Integer)
    since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Sale(Base):
    """A paid order as leaderboards and tiers see it: who sold it, when it was paid and its
    net GMV now (refunds lower it). Built from ``order.money`` events."""

    __tablename__ = "sales"
    __table_args__ = (Index("ix_sales_paid_currency", "paid_at", "currency"),)

    order_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    merchant_id: Mapped[int] = mapped_column(Integer, index=True)
    show_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    link_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # where it was sold (live, video, replay, link, feed, direct...), for the GMV big screen
    channel: Mapped[str] = mapped_column(String(10), default="direct")
    currency: Mapped[str] = mapped_column(String(3))
    net: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(DateTime)
    last_event_id: Mapped[int] = mapped_column(BigInteger)


class SalesHour(Base):
    """Sales summed per hour, currency, channel, host, merchant and show (0: no host, no show):
    what the GMV big screen and the console read, so a frame costs the number of such groups
    rather than the number of orders. Kept from each sale's change in net, by the consumer
    that keeps ``sales``."""

    __tablename__ = "sales_hours"
    # SQLite stores the rows in key order (hour first): a frame reads one contiguous range
    __table_args__ = {"sqlite_with_rowid": False}

    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    host_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    net: Mapped[int] = mapped_column(BigInteger)
    orders: Mapped[int] = mapped_column(Integer)  # paid orders not wholly refunded


class Follow(Base):
    """One shopper following one host; the primary key makes a follow happen at most once."""

    __tablename__ = "follows"

    follower_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    host_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HostTier(Base):
    """A level hosts earn by rules on trailing 30-day net GMV (in the tier's currency) and
    followers; it sets their commission rate and a ranking boost for the feed."""

    __tablename__ = "host_tiers"
    __table_args__ = (
        CheckConstraint("commission_bps BETWEEN 0 AND 10000", name="commission_range"),
        CheckConstraint("boost_pct BETWEEN 0 AND 500", name="boost_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True)  # higher is better
    currency: Mapped[str] = mapped_column(String(3))
    min_gmv_30d: Mapped[int] = mapped_column(BigInteger, default=0)
    min_followers: Mapped[int] = mapped_column(Integer, default=0)
    commission_bps: Mapped[int] = mapped_column(Integer)
    boost_pct: Mapped[int] = mapped_column(Integer, default=0)  # perk: feed ranking boost
    # a training certificate the tier asks for (None: no training needed)
    required_programme_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HostTierAssignment(Base):
    __tablename__ = "host_tier_assignments"

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("host_tiers.id"), nullable=True)
    since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HostTierChange(Base):
    """Tier history: every move, with the figures that caused it."""

    __tablename__ = "host_tier_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_tier_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_tier_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class McnInvite(Base):
    """An MCN's offer to take a host onto its roster at a revenue share; the host decides."""

    __tablename__ = "mcn_invites"
    __table_args__ = (CheckConstraint("share_bps BETWEEN 0 AND 10000", name="invite_share"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mcn_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    share_bps: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Notification(Base):
    """An in-app notice to one user, e.g. a followed host going live or scheduling a show."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # show.live | show.scheduled
    host_id: Mapped[int] = mapped_column(Integer)
    show_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CommissionOffer(Base):
    """A merchant's commission for hosts who sell a product (or any product of a category),
    open to every host or to invited ones, with an optional bonus from a tier up."""

    __tablename__ = "commission_offers"
    __table_args__ = (
        CheckConstraint("rate_bps BETWEEN 0 AND 10000", name="offer_rate"),
        CheckConstraint("bonus_bps BETWEEN 0 AND 10000", name="offer_bonus"),
        CheckConstraint("(product_id IS NULL) <> (category_id IS NULL)", name="offer_one_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), nullable=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), nullable=True)
    rate_bps: Mapped[int] = mapped_column(Integer)
    open_to_all: Mapped[bool] = mapped_column(Boolean, default=True)
    bonus_bps: Mapped[int] = mapped_column(Integer, default=0)
    bonus_min_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OfferInvite(Base):
    """A host invited to an offer that is not open to all."""

    __tablename__ = "offer_invites"

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("commission_offers.id", ondelete="CASCADE"), primary_key=True
    )
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class TrainingProgramme(Base):
    """An MCN's course for hosts: lessons in order; finishing every lesson earns the
    certificate that tiers may require."""

    __tablename__ = "training_programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mcn_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Lesson(Base):
    __tablename__ = "training_lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("training_programmes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(10000), default="")


class LessonCompletion(Base):
    __tablename__ = "training_completions"

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("training_lessons.id", ondelete="CASCADE"), primary_key=True
    )
    completed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Certificate(Base):
    __tablename__ = "training_certificates"

    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("training_programmes.id", ondelete="CASCADE"), primary_key=True
    )
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AffiliateLink(Base):
    """A host's own link to a product (``/a/{code}``). Clicks are touches in the event log;
    orders it wins point back at it (``orders.link_id``)."""

    __tablename__ = "affiliate_links"
    __table_args__ = (UniqueConstraint("host_id", "product_id", name="uq_affiliate_host_product"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HostProfile(Base):
    """What a host says about themselves: a plain-text bio (escaped wherever it is shown).
    Name and avatar stay on the user, so every page that names a host shows the same ones."""

    __tablename__ = "host_profiles"

    host_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HostCategory(Base):
    """A catalogue category a host sells in, in the host's order."""

    __tablename__ = "host_categories"

    host_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)
