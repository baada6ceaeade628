"""Video tables: each show's stream key and who is publishing to it; short videos (clips),
their tagged products, hashtags, likes and comments; show replays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String
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


class ShortVideo(Base):
    """A host's clip. ``processing`` until the transcode job makes it ``ready`` (an H.264 MP4
    and a poster in the media store) or ``failed`` (``failure`` says why)."""

    __tablename__ = "short_videos"
    __table_args__ = (Index("ix_short_videos_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    caption: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(12), default="processing")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    poster_url: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ShortVideoProduct(Base):
    """A product tagged in a clip; ``position`` keeps the host's order (the first is shown)."""

    __tablename__ = "short_video_products"

    video_id: Mapped[int] = mapped_column(
        ForeignKey("short_videos.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ShortVideoHashtag(Base):
    """``#word`` of a caption, lower-cased, so ``/videos?tag=word`` is one index look-up."""

    __tablename__ = "short_video_hashtags"

    video_id: Mapped[int] = mapped_column(
        ForeignKey("short_videos.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class ShortVideoLike(Base):
    __tablename__ = "short_video_likes"

    video_id: Mapped[int] = mapped_column(
        ForeignKey("short_videos.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ShortVideoComment(Base):
    __tablename__ = "short_video_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    video_id: Mapped[int] = mapped_column(
        ForeignKey("short_videos.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


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
