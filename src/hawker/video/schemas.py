"""Video API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from hawker.catalog.schemas import ProductOut
from hawker.live.schemas import HostOut


class StreamOut(BaseModel):
    """What the host needs to go live from OBS or ffmpeg (only ever shown to the host)."""

    show_id: int
    rtmp_url: str
    stream_key: str
    publishing: bool
    publishing_since: datetime | None
    hls_url: str
    rotated_at: datetime


class PublishNotice(BaseModel):
    """The form nginx-rtmp posts to ``on_publish`` / ``on_publish_done`` (other fields are
    ignored: nginx sends flashver, tcurl and the publisher's query arguments too)."""

    call: str = Field(pattern="^(publish|publish_done)$")
    app: str = Field(max_length=64)
    name: str = Field(min_length=1, max_length=200)
    clientid: str = Field(min_length=1, max_length=40, pattern=r"^[0-9]+$")


class RecordNotice(BaseModel):
    """The form nginx-rtmp posts to ``on_record_done`` when it closes a show's recording."""

    call: str = Field(pattern="^record_done$")
    app: str = Field(max_length=64)
    name: str = Field(min_length=1, max_length=200)
    path: str = Field(min_length=1, max_length=1000)


class MomentOut(BaseModel):
    """A pin in the replay: seek to ``offset_s`` to see the host present the product."""

    product_id: int
    offset_s: float
    title: str
    image_url: str
    price_from: int
    currency: str
    price_display: str


class ReplayOut(BaseModel):
    show_id: int
    title: str
    host: HostOut
    video_url: str
    poster_url: str
    duration_s: float
    recorded_at: datetime
    created_at: datetime
    moments: list[MomentOut]
    products: list[ProductOut]  # each product with moments once, with its SKUs for buying


class ReplayCard(BaseModel):
    """A replay in a list (home page, ``GET /api/replays``)."""

    id: int
    show_id: int
    title: str
    host: HostOut
    poster_url: str
    duration_s: float
    created_at: datetime
