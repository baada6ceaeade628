"""The media server config for this Hawker: its ports, HLS folder and callback URLs."""

from __future__ import annotations

from pathlib import Path

from hawker.core.config import Settings
from hawker.infra.rtmp import MediaConfig
from hawker.video.service import callback_secret


def media_config(
    settings: Settings,
    *,
    hawker_url: str = "",
    prefix: Path | None = None,
    bind: str = "0.0.0.0",
) -> MediaConfig:
    """``hawker_url`` is where nginx reaches Hawker (default: this server on loopback, since
    the callbacks should never leave the machine); needs ``settings.secret_key`` set."""
    if not settings.secret_key:
        raise ValueError("the secret key must be known to sign the callback URLs")
    base = (hawker_url or f"http://127.0.0.1:{settings.port}").rstrip("/")
    query = f"?secret={callback_secret(settings.secret_key)}"
    return MediaConfig(
        prefix=(prefix or settings.data_dir / "nginx").resolve(),
        hls_dir=settings.hls_dir.resolve(),
        rtmp_port=settings.rtmp_port,
        hls_port=settings.hls_port,
        publish_url=f"{base}/api/media/rtmp/publish{query}",
        publish_done_url=f"{base}/api/media/rtmp/publish_done{query}",
        bind=bind,
        recordings_dir=settings.recordings_dir.resolve(),
        record_done_url=f"{base}/api/media/rtmp/record_done{query}",
    )
