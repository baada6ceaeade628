"""Live API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hawker.catalog.schemas import URL_PATTERN, ProductOut


class ShowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=2000)
    cover_url: str = Field(default="", max_length=500, pattern=r"^$|" + URL_PATTERN)
    scheduled_start: datetime
    product_ids: list[int] = Field(default_factory=list, max_length=100)


class ShowPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=2000)
    cover_url: str | None = Field(default=None, max_length=500, pattern=URL_PATTERN)
    scheduled_start: datetime | None = None


class LineupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_ids: list[int] = Field(max_length=100)


class PinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: int = Field(ge=1)


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=5000)


class MuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int = Field(ge=1)


class HostOut(BaseModel):
    id: int
    name: str
    avatar_url: str


class ShowOut(BaseModel):
    id: int
    title: str
    description: str
    cover_url: str
    status: str
    scheduled_start: datetime
    started_at: datetime | None
    ended_at: datetime | None
    host: HostOut
    lineup: list[ProductOut]
    pinned: ProductOut | None
    viewers: int
    hls_url: str | None = None  # the HLS playlist while live


class ChatOut(BaseModel):
    id: int
    user_id: int
    name: str
    text: str
    at: datetime
