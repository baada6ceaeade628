"""Campaigns API shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from hawker.catalog.schemas import URL_PATTERN


def naive_utc(value: datetime) -> datetime:
    """Stored as naive UTC, whatever offset the client sent (naive input is UTC)."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


UtcDatetime = Annotated[datetime, AfterValidator(naive_utc)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
COLOUR = r"^#[0-9a-fA-F]{6}$"
TEXT = r"^[^<>]+$"


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120, pattern=TEXT)
    slug: str = Field(min_length=2, max_length=60, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    theme_colour: str = Field(default="#ff4d2e", pattern=COLOUR)
    banner_url: str = Field(default="", max_length=500, pattern=r"^$|" + URL_PATTERN)
    rules: str = Field(default="", max_length=5000)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    starts_at: UtcDatetime
    ends_at: UtcDatetime


class CampaignPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=120, pattern=TEXT)
    theme_colour: str | None = Field(default=None, pattern=COLOUR)
    banner_url: str | None = Field(default=None, max_length=500, pattern=r"^$|" + URL_PATTERN)
    rules: str | None = Field(default=None, max_length=5000)
    starts_at: UtcDatetime | None = None
    ends_at: UtcDatetime | None = None


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    theme_colour: str
    banner_url: str
    rules: str
    currency: str
    starts_at: datetime
    ends_at: datetime


class ProductEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: Id
    deal_price: int = Field(ge=1, le=10**15, description="minor units")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


class ProductsApplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ProductEntryIn] = Field(min_length=1, max_length=200)


class ShowEntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    show_id: Id
    duration_minutes: int = Field(default=60, ge=5, le=720)


class ShowsApplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ShowEntryIn] = Field(min_length=1, max_length=200)


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    campaign_id: int
    kind: str
    target_id: int
    merchant_id: int | None
    host_id: int | None
    deal_price: int | None
    currency: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    featured: bool
    status: str


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["approved", "rejected"]


class FeatureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    featured: bool


class BoostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["show", "video", "product", "host"]
    target_id: Id
    campaign_id: Id | None = None
    multiplier: float = Field(gt=1.0, le=10.0)
    score_cap: float | None = Field(default=None, gt=0, le=1e9)
    daily_budget: int = Field(ge=1, le=10**9, description="boosted impressions per UTC day")
    starts_at: UtcDatetime | None = Field(default=None, description="default: the campaign's")
    ends_at: UtcDatetime | None = Field(default=None, description="default: the campaign's")


class BoostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    target_id: int
    campaign_id: int | None
    multiplier: float
    score_cap: float | None
    daily_budget: int
    starts_at: datetime
    ends_at: datetime
    active: bool


class BoostReportOut(BaseModel):
    boost: BoostOut
    impressions_today: int
    impressions_total: int


class GmvOut(BaseModel):
    currency: str
    gmv: int = Field(description="net, minor units, from approved participants")
    boosted_gmv: int = Field(description="net, minor units, from the campaign's boosted items")
    orders: int


class CampaignStatsOut(BaseModel):
    campaign_id: int
    gmv: list[GmvOut]
    boosts: list[BoostReportOut]
    boost_impressions: int


class ImportOut(BaseModel):
    shows: int
    entries: list[EntryOut]
