"""The demo show's real video: nginx with Hawker's media template, and ffmpeg pushing a test
pattern with a clock into the show with its stream key, exactly as a host's encoder would."""

from __future__ import annotations

import logging
import subprocess

from hawker.core.config import Settings
from hawker.infra.rtmp import (
    INSTALL_HINT,
    MediaServer,
    missing_tools,
    pattern_command,
    tied_to_us,
)
from hawker.video.media_server import media_config

log = logging.getLogger(__name__)


class DemoBroadcast:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.media: MediaServer | None = None
        self.encoder: subprocess.Popen[bytes] | None = None
        self.clips: list[subprocess.Popen[bytes]] = []

    def start_media_server(self) -> str | None:
        """Start nginx; None when it runs, else what to tell the person running the demo.
        Call from the main thread (children are tied to the thread that spawns them)."""
        lacking = missing_tools()
        if lacking:
            return (
                f"live video is off: {', '.join(lacking)} missing. Install with: {INSTALL_HINT}"
                " (the room shows the show's poster meanwhile)"
            )
        media = MediaServer(media_config(self.settings, bind=self.settings.host))
        try:
            media.start()
        except RuntimeError as e:
            return f"live video is off: nginx did not start ({e}); the room shows the poster"
        self.media = media
        return None

    def go_live(self, stream_key: str) -> None:
        """Push the test pattern into the show; its arrival is what nginx reports to Hawker."""
        if self.media is None:
            return
        url = f"rtmp://127.0.0.1:{self.settings.rtmp_port}/live/{stream_key}"
        self.encoder = subprocess.Popen(tied_to_us(pattern_command(url)), stdin=subprocess.DEVNULL)

    def push_clip(self, stream_key: str, seconds: float) -> subprocess.Popen[bytes] | None:
        """The test pattern for ``seconds`` into another show (the demo's replay); then the
        encoder stops, as a host's does at the end of a show."""
        if self.media is None:
            return None
        url = f"rtmp://127.0.0.1:{self.settings.rtmp_port}/live/{stream_key}"
        clip = subprocess.Popen(
            tied_to_us(pattern_command(url, seconds=seconds)), stdin=subprocess.DEVNULL
        )
        self.clips.append(clip)
        return clip

    def stop(self) -> None:
        for encoder in [self.encoder, *self.clips]:
            if encoder is not None and encoder.poll() is None:
                encoder.terminate()
                try:
                    encoder.wait(5)
                except subprocess.TimeoutExpired:
                    encoder.kill()
        if self.media is not None:
            self.media.stop()
