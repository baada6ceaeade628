"""Front-page API shapes. A section's settings are stored as ``SectionIn`` JSON in each
layout version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PickedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["show", "product", "video"]
    id: int = Field(ge=1, le=2**31 - 1)


class TargetIn(BaseModel):
    """Who sees a section; every given rule must hold. Country and language come from the
    shopper's Accept-Language (``pt-BR``: language pt, country BR)."""

    model_config = ConfigDict(extra="forbid")
    audience: Literal["all", "new"] = "all"
    countries: list[str] = Field(default=[], max_length=50)
    languages: list[str] = Field(default=[], max_length=50)
    followers_of: int | None = Field(default=None, ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def _codes(self) -> TargetIn:
        self.countries = [c.upper() for c in self.countries]
        self.languages = [x.lower() for x in self.languages]
        if not all(len(c) == 2 and c.isalpha() and c.isascii() for c in self.countries):
            raise ValueError("countries are ISO 3166 alpha-2 codes such as BR")
        if not all(2 <= len(x) <= 3 and x.isalpha() and x.isascii() for x in self.languages):
            raise ValueError("languages are ISO 639 codes such as pt")
        return self


class SectionIn(BaseModel):
    """One slot of the layout; its position is its place in the list."""

    model_config = ConfigDict(extra="forbid")
    id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="none: a new section")
    title: str = Field(min_length=1, max_length=80)
    source: str = Field(min_length=1, max_length=40, description="see GET /api/front-page/sources")
    limit: int = Field(default=12, ge=1, le=24)
    items: list[PickedIn] = Field(default=[], max_length=24, description='for source "picked"')
    target: TargetIn = TargetIn()
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @model_validator(mode="after")
    def _window(self) -> SectionIn:
        self.title = self.title.strip()
        if not self.title:
            raise ValueError("a section needs a title")
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is not None:  # stored as naive UTC
                setattr(self, name, value.astimezone(UTC).replace(tzinfo=None))
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("a section's schedule must end after it starts")
        return self


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sections: list[SectionIn] = Field(max_length=30)


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=200)


class RollbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=2**31 - 1)


class LayoutOut(BaseModel):
    version: int  # 0: the draft
    sections: list[SectionIn]
    note: str
    author_id: int
    created_at: datetime


class SourceOut(BaseModel):
    name: str
    label: str


class FeedItemOut(BaseModel):
    kind: str
    id: int
    title: str
    href: str
    image_url: str
    promoted: bool
    score: float


class FeedSectionOut(BaseModel):
    id: int | None
    title: str
    source: str
    items: list[FeedItemOut]


class SectionMetricsOut(BaseModel):
    section_id: int
    title: str
    shoppers: int  # distinct signed-in shoppers who saw it
    impressions: int
    clicks: int
    ctr: float  # clicks / impressions
    gmv: dict[str, int]  # net GMV of orders attributed to it, per currency
    orders: int
