"""Settings: the only place configuration is read (env prefix ``HAWKER_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAWKER_", extra="ignore")

    data_dir: Path = Field(
        default=Path("hawker-data"),
        description="SQLite file, job queue, media and generated secret (embedded default)",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL, e.g. `postgresql+asyncpg://user@host/db`; "
        "empty: the SQLite file in the data directory",
    )
    database_pool_size: int = Field(
        default=10, ge=1, description="PostgreSQL connections per process (twice in bursts)"
    )
    redis_url: str = Field(
        default="",
        description="set: Redis carries rooms, flash-deal stock, jobs and the sandbox payments "
        "(needed for more than one process)",
    )
    redis_prefix: str = Field(
        default="hawker:", description="every Redis key and channel name starts with it"
    )
    stock_engine: Literal["auto", "sql", "locking"] = Field(
        default="auto",
        description="flash-deal stock: `auto` is Redis when `redis_url` is set, else SQL; "
        "`sql` keeps it in SQL even with Redis; `locking` is the naive row-lock baseline "
        "for `bench/flash_sale.py` only",
    )
    stock_reconcile_seconds: float = Field(
        default=5.0, gt=0, description="how often Redis flash-deal stock is re-synced from SQL"
    )
    host: str = Field(default="127.0.0.1", description="address `hawker serve` binds")
    port: int = Field(default=8000, description="port `hawker serve` binds")
    base_url: str = Field(
        default="", description="public URL used in printed links; empty: http://host:port"
    )
    secret_key: str = Field(
        default="",
        description="signing secret, the same on every node; empty: generated once and kept "
        "in the data directory",
    )
    cookie_secure: bool = Field(default=False, description="send cookies over HTTPS only")
    argon2_time_cost: int = Field(default=3, ge=1, description="password hashing passes")
    argon2_memory_kib: int = Field(default=65536, ge=8, description="password hashing memory (KiB)")
    reservation_ttl_seconds: int = Field(
        default=600, ge=1, description="how long an unpaid order holds its stock"
    )
    expiry_sweep_seconds: float = Field(
        default=2.0, gt=0, description="how often unpaid orders past their hold are cancelled"
    )
    default_commission_bps: int = Field(
        default=1000,
        ge=0,
        le=10000,
        description="host commission on paid GMV, in basis points (1000 = 10 %), where no "
        "offer or tier sets another",
    )
    attribution_window_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="how far back an order looks for the last affiliate link, show, replay or "
        "short video its buyer touched",
    )
    feed_new_shopper_days: int = Field(
        default=30,
        ge=0,
        le=3650,
        description="front-page sections aimed at new shoppers show to signed-out visitors and "
        "to accounts younger than this many days",
    )
    feed_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="how long a front-page section is reused before it is ranked again, "
        "shared by the shoppers it looks the same to, and a shopper's follows are kept "
        "(per process; 0: every page view)",
    )
    feed_click_cookie_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 90,
        description="how long a click on a front-page item can attribute a purchase to its section",
    )
    min_payout: int = Field(
        default=1000, ge=1, description="smallest payout to a host or MCN, in minor units"
    )
    ledger_sweep_seconds: float = Field(
        default=5.0,
        gt=0,
        description="how often paid and refunded orders are settled into the commission ledger",
    )
    outbox_retention_days: float = Field(
        default=7.0,
        gt=0,
        description="how long domain events are kept after every consumer has taken them",
    )
    campaign_gmv_sweep_seconds: float = Field(
        default=1.0,
        gt=0,
        description="how often paid and refunded orders are added to campaign GMV (campaign "
        "pages show it live)",
    )
    tier_recompute_seconds: float = Field(
        default=3600.0, gt=0, description="how often every host is placed in their tier"
    )
    creator_fund_min_watch_ms: int = Field(
        default=3000,
        ge=0,
        description="creator fund: a short-video view qualifies only if watched this long (ms)",
    )
    creator_fund_burst_window_s: int = Field(
        default=3600,
        ge=0,
        description="creator fund: at most one qualified view per viewer and clip in this "
        "many seconds",
    )
    creator_fund_max_view_ms: int = Field(
        default=60_000,
        ge=1,
        description="creator fund: watch time a view counts at most when its clip's length "
        "is unknown (ms)",
    )
    creator_fund_sweep_seconds: float = Field(
        default=3600.0, gt=0, description="how often ended creator fund periods are paid out"
    )
    experiment_refresh_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="how often each process checks for changed experiment and flag definitions "
        "(a kill switch takes effect everywhere within it)",
    )
    experiment_holdout_bps: int = Field(
        default=100,
        ge=0,
        le=10_000,
        description="share of shoppers kept out of every experiment, in basis points "
        "(100 = 1 %), for long-run measurement",
    )
    experiment_guardrail_seconds: float = Field(
        default=900.0,
        gt=0,
        description="how often running experiments' guardrails are checked; a harmed one "
        "stops its experiment",
    )
    chat_max_length: int = Field(default=200, ge=1, description="characters per chat message")
    chat_rate_per_10s: int = Field(
        default=5, ge=1, description="chat messages a user may send per 10 s in a room"
    )
    room_history_size: int = Field(
        default=500, ge=10, description="recent events a room keeps for resume after reconnect"
    )
    coalesce_seconds: float = Field(
        default=0.5, gt=0, description="period of coalesced likes, viewer and stock counts"
    )
    session_days: int = Field(default=14, ge=1, description="lifetime of a login session")
    max_upload_bytes: int = Field(
        default=5_000_000, ge=1, description="largest accepted image upload"
    )

    # Live video: nginx with the RTMP module ingests on rtmp_port and serves HLS on hls_port
    # (see ``hawker media-config``); the public URLs default to this host and those ports.
    rtmp_port: int = Field(default=1935, ge=1, le=65535, description="nginx RTMP ingest port")
    hls_port: int = Field(
        default=8088, ge=1, le=65535, description="nginx port serving HLS playlists"
    )
    rtmp_url: str = Field(
        default="", description="what hosts put in OBS; empty: rtmp://host:rtmp_port/live"
    )
    hls_url: str = Field(
        default="",
        description="where players fetch playlists (a CDN); empty: http://host:hls_port/hls",
    )
    media_control_url: str = Field(
        default="",
        description="nginx's rtmp_control, to drop a rotated key's encoder; "
        "empty: http://127.0.0.1:hls_port/control",
    )

    # Short videos: uploads are probed at the door, then transcoded by a background job.
    max_clip_bytes: int = Field(
        default=200_000_000, ge=1, description="largest accepted short-video upload (bytes)"
    )
    max_clip_seconds: float = Field(
        default=60.0, gt=0, description="longest accepted short video (seconds)"
    )
    transcode_timeout_seconds: float = Field(
        default=240.0,
        gt=0,
        le=290,
        description="a clip's transcode is failed after this long (jobs run at most 300 s)",
    )
    clip_comment_rate_per_10s: int = Field(
        default=5, ge=1, description="comments a user may post per 10 s on short videos"
    )

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "hawker.sqlite3"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.sqlite_path}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def public_url(self) -> str:
        return self.base_url or f"http://{self.host}:{self.port}"

    @property
    def public_rtmp_url(self) -> str:
        return self.rtmp_url or f"rtmp://{self.host}:{self.rtmp_port}/live"

    @property
    def public_hls_url(self) -> str:
        return (self.hls_url or f"http://{self.host}:{self.hls_port}/hls").rstrip("/")

    @property
    def effective_media_control_url(self) -> str:
        return (self.media_control_url or f"http://127.0.0.1:{self.hls_port}/control").rstrip("/")

    @property
    def hls_dir(self) -> Path:
        """Where nginx writes HLS playlists and fragments (one folder per show)."""
        return self.data_dir / "hls"

    @property
    def recordings_dir(self) -> Path:
        """Where nginx records shows for their replays (read by the replay job, so scaled
        out it must be a folder every node sees)."""
        return self.data_dir / "recordings"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reference_markdown() -> str:
    """The configuration reference table of docs/deploy.md, from the fields themselves."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = f"`{default}`" if default not in ("", None) else "(empty)"
        rows.append(f"| `HAWKER_{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(rows) + "\n"
