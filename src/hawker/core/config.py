"""Settings: the only place configuration is read (env prefix ``HAWKER_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HAWKER_", extra="ignore")

    data_dir: Path = Path("hawker-data")
    database_url: str = ""  # empty: SQLite file in data_dir
    redis_url: str = ""  # set: Redis carries the room bus, flash-deal stock and jobs
    redis_prefix: str = "hawker:"  # every Redis key and channel name starts with it
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = ""  # public URL used in printed links; empty: http://host:port
    secret_key: str = ""  # empty: generated once and kept in data_dir
    cookie_secure: bool = False
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)

    reservation_ttl_seconds: int = Field(default=600, ge=1)
    expiry_sweep_seconds: float = Field(default=2.0, gt=0)
    chat_max_length: int = Field(default=200, ge=1)
    chat_rate_per_10s: int = Field(default=5, ge=1)
    room_history_size: int = Field(default=500, ge=10)
    coalesce_seconds: float = Field(default=0.5, gt=0)
    session_days: int = Field(default=14, ge=1)
    max_upload_bytes: int = Field(default=5_000_000, ge=1)

    # Live video: nginx with the RTMP module ingests on rtmp_port and serves HLS on hls_port
    # (see ``hawker media-config``); the public URLs default to this host and those ports.
    rtmp_port: int = Field(default=1935, ge=1, le=65535)
    hls_port: int = Field(default=8088, ge=1, le=65535)
    rtmp_url: str = ""  # what hosts put in OBS; empty: rtmp://host:rtmp_port/live
    hls_url: str = ""  # where players fetch playlists; empty: http://host:hls_port/hls
    media_control_url: str = ""  # nginx's rtmp_control; empty: http://127.0.0.1:hls_port/control

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
