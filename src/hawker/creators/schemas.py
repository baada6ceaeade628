"""Creators API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from hawker.catalog.schemas import CategoryOut

Role = Literal["host", "mcn"]
BIO_MAX = 500
CATEGORIES_MAX = 3
FundStatus = Literal["upcoming", "running", "ended", "settled"]


class HostProfileOut(BaseModel):
    id: int
    name: str
    avatar_url: str
    followers: int
    following: bool  # whether the caller follows this host (false when logged out)


class HostShowOut(BaseModel):
    id: int
    title: str
    cover_url: str
    status: str
    scheduled_start: datetime


class HostDetailOut(HostProfileOut):
    """The host's public page: the follow summary plus what the host says and does."""

    bio: str = Field(description="plain text: escape it wherever it is shown")
    categories: list[CategoryOut]
    tier: str | None
    live: HostShowOut | None = Field(description="the show the host is live in now")
    upcoming: list[HostShowOut]


class HostProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bio: str = Field(default="", max_length=BIO_MAX, description="plain text")
    category_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list, max_length=CATEGORIES_MAX, description="catalogue categories"
    )


class PayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role = "host"
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount: int | None = Field(default=None, ge=1, le=10**15, description="default: all of it")


class RosterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mcn_id: int | None = Field(ge=1, description="none takes the host off any roster")
    share_bps: int = Field(default=0, ge=0, le=10000)


class PayoutOut(BaseModel):
    id: int
    amount: int
    currency: str
    status: str
    provider_ref: str | None
    created_at: datetime


class EarningsOut(BaseModel):
    role: Role
    balances: dict[str, int]
    min_payout: int
    payouts: list[PayoutOut]


class StatementLineOut(BaseModel):
    at: datetime
    kind: str
    order_id: int | None
    payout_id: int | None
    fund_period_id: int | None
    amount: int


class StatementOut(BaseModel):
    role: Role
    currency: str
    start: datetime
    end: datetime
    opening: int
    closing: int
    lines: list[StatementLineOut]


class LeaderEntryOut(BaseModel):
    rank: int
    id: int
    name: str
    avatar_url: str
    gmv: int
    gmv_display: str
    orders: int
    previous_gmv: int


class LeaderboardOut(BaseModel):
    board: str
    period: str
    currency: str
    entries: list[LeaderEntryOut]


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=30, pattern=r"^[^<>]+$")
    rank: int = Field(ge=1, le=1000, description="higher is better")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    min_gmv_30d: int = Field(default=0, ge=0, le=10**15, description="minor units")
    min_followers: int = Field(default=0, ge=0, le=10**9)
    commission_bps: int = Field(ge=0, le=10000)
    boost_pct: int = Field(default=0, ge=0, le=500, description="feed ranking boost, percent")
    required_programme_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="a training certificate the tier needs"
    )


class TierPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=30, pattern=r"^[^<>]+$")
    rank: int | None = Field(default=None, ge=1, le=1000)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    min_gmv_30d: int | None = Field(default=None, ge=0, le=10**15)
    min_followers: int | None = Field(default=None, ge=0, le=10**9)
    commission_bps: int | None = Field(default=None, ge=0, le=10000)
    boost_pct: int | None = Field(default=None, ge=0, le=500)
    required_programme_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    active: bool | None = None


class TierOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    rank: int
    currency: str
    min_gmv_30d: int
    min_followers: int
    commission_bps: int
    boost_pct: int
    required_programme_id: int | None
    active: bool


class TierMoveOut(BaseModel):
    host_id: int
    from_tier: int | None
    to_tier: int | None
    reason: str


class TierChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    from_tier_id: int | None
    to_tier_id: int | None
    reason: str
    at: datetime


class HostTierOut(BaseModel):
    host_id: int
    tier: TierOut | None
    history: list[TierChangeOut] | None = Field(description="the host and operators only")


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host_email: str = Field(min_length=3, max_length=254)
    share_bps: int = Field(ge=0, le=10000, description="the MCN's share of the host's commission")


class InviteOut(BaseModel):
    id: int
    mcn_id: int
    host_id: int
    name: str  # the other party: the host for the MCN, the MCN for the host
    share_bps: int
    status: str
    created_at: datetime


class RosterLineOut(BaseModel):
    host_id: int
    name: str
    avatar_url: str
    share_bps: int
    since: datetime
    tier: str | None
    followers: int
    shows: int
    live_now: bool
    gmv_30d: dict[str, int]
    mcn_earned: dict[str, int]


class NoticeOut(BaseModel):
    id: int
    kind: str
    text: str
    host_id: int
    show_id: int
    live: bool  # the show is live now
    read: bool
    created_at: datetime


class NoticesOut(BaseModel):
    unread: int
    items: list[NoticeOut]


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    up_to: int = Field(ge=1, le=2**62, description="the newest notice the user has seen")


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    category_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    rate_bps: int = Field(ge=0, le=10000)
    open_to_all: bool = True
    invited_host_ids: list[int] = Field(default_factory=list, max_length=200)
    bonus_bps: int = Field(default=0, ge=0, le=10000)
    bonus_min_rank: int | None = Field(default=None, ge=1, le=1000)


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    merchant_id: int
    product_id: int | None
    category_id: int | None
    rate_bps: int
    open_to_all: bool
    bonus_bps: int
    bonus_min_rank: int | None
    active: bool


class MarketItemOut(BaseModel):
    offer_id: int
    product_id: int
    title: str
    image_url: str
    merchant: str
    price_from: int
    currency: str
    rate_bps: int
    invited: bool


class LessonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(default="", max_length=10000)


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    lessons: list[LessonIn] = Field(min_length=1, max_length=50)


class ProgrammeOut(BaseModel):
    id: int
    title: str
    description: str
    mcn: str
    lessons: int
    certified: int  # hosts who completed it


class LessonOut(BaseModel):
    id: int
    title: str
    body: str
    done: bool


class ProgrammeDetailOut(BaseModel):
    id: int
    title: str
    description: str
    lessons: list[LessonOut]
    certified: bool  # the caller holds its certificate


class AffiliateLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: int = Field(ge=1, le=2**31 - 1)


class AffiliateLinkOut(BaseModel):
    id: int
    code: str
    url: str  # site-relative: /a/{code}
    product_id: int
    product_title: str
    clicks: int
    orders: int  # paid orders the link won
    gmv: int  # their net GMV, minor units
    currency: str | None


class FundPeriodIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    pool: int = Field(
        strict=True, ge=1, le=10**15, description="minor units paid out over the period"
    )
    starts_at: datetime = Field(description="UTC unless an offset is given")
    ends_at: datetime = Field(description="exclusive; UTC unless an offset is given")


class FundShareOut(BaseModel):
    host_id: int
    host: str
    qualified_ms: int
    views: int
    amount: int


class FundPeriodOut(BaseModel):
    id: int
    currency: str
    pool: int
    starts_at: datetime
    ends_at: datetime
    status: FundStatus
    settled_at: datetime | None
    paid: int = Field(description="the pool once settled, 0 if no view qualified")
    qualified_ms: int
    shares: list[FundShareOut] | None = Field(description="one period's detail only")


class ReconciliationOut(BaseModel):
    ok: bool
    transactions: int
    orders: int  # orders with a commission
    unbalanced_transactions: list[int]
    drifted_balances: list[str]
    in_debt: list[str]  # not an error: refunds after a payout (see creators/reconcile.py)
    miscomputed_orders: list[int]
    unposted_orders: list[int]
    totals: dict[str, int]
