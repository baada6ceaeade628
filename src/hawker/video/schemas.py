"""Video API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


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
