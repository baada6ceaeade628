"""Video tables: each show's stream key and who is publishing to it; show replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import Base


class StreamKey(Base):
    """The key is never stored: it is an HMAC of (show, host, ``nonce``) under the server's
    secret key, so a leaked table alone publishes nothing, and rotating replaces the nonce."""

    __tablename__ = "stream_keys"

    show_id: Mapped[int] = mapped_column(
        ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(64))
    rotated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # nginx's client id of the accepted publisher; its publish_done alone ends the show
    publisher: Mapped[str | None] = mapped_column(String(40), nullable=True)
    publishing_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Replay(Base):
    """A show's recording as an MP4 (VOD). One per show: when the encoder reconnected and left
    several recordings, the longest is kept. Product moments are not stored: they follow from
    the show's pin history and ``recording_started_at``, which never change after the show."""

    __tablename__ = "replays"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(ForeignKey("shows.id", ondelete="CASCADE"), unique=True)
    recording: Mapped[str] = mapped_column(String(120))  # nginx's file name: show-ID-STAMP.flv
    video_url: Mapped[str] = mapped_column(String(500))
    poster_url: Mapped[str] = mapped_column(String(500))
    duration_s: Mapped[float] = mapped_column(Float)
    recording_started_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
