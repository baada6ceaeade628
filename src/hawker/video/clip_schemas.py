"""Short-video API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from hawker.catalog.schemas import ProductOut
from hawker.creators.schemas import HostProfileOut

# An hour: a looping clip left playing is still one view, not a corrupt figure.
MAX_WATCHED_MS = 3_600_000


class ClipOut(BaseModel):
    id: int
    host: HostProfileOut
    caption: str
    hashtags: list[str]
    status: str  # processing | ready | failed
    failure: str
    video_url: str
    poster_url: str
    duration_ms: int
    width: int
    height: int
    likes: int
    comments: int
    liked: bool
    products: list[ProductOut]
    share_url: str
    created_at: datetime


class ClipPage(BaseModel):
    items: list[ClipOut]
    next_cursor: int | None  # pass as ?cursor= for the next (older) page


class LikeOut(BaseModel):
    likes: int
    liked: bool


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=5000)  # the real limit is checked with a clear message


class CommentOut(BaseModel):
    id: int
    user_id: int
    name: str
    text: str
    at: datetime


class ViewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    watched_ms: int = Field(ge=0, le=MAX_WATCHED_MS)
