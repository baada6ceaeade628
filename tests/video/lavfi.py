"""Clips made in the test run with ffmpeg's lavfi sources (small and fast to make)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.services import need_binary


def make_clip(
    path: Path,
    seconds: float = 2,
    size: str = "180x320",
    rate: int = 15,
    audio: bool = True,
    pattern: str = "testsrc2",
) -> Path:
    """A portable MPEG-4 clip (mpeg4 video, AAC sound), so the pipeline really re-encodes it."""
    need_binary("ffmpeg", "apt-get install ffmpeg")
    sound = ["-f", "lavfi", "-i", f"sine=frequency=440:d={seconds}"] if audio else []
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"{pattern}=size={size}:rate={rate}:d={seconds}",
            *sound,
            "-c:v",
            "mpeg4",
            "-q:v",
            "5",
            *(["-c:a", "aac"] if audio else []),
            str(path),
        ],
        check=True,
    )
    return path


def make_raw_h264(path: Path) -> Path:
    """A bare H.264 stream: video, but no container to say how long it is."""
    need_binary("ffmpeg", "apt-get install ffmpeg")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x64:rate=10:d=2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-f",
            "h264",
            str(path),
        ],
        check=True,
    )
    return path


def make_png(path: Path) -> Path:
    need_binary("ffmpeg", "apt-get install ffmpeg")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=red:size=32x32",
            "-frames:v",
            "1",
            str(path),
        ],
        check=True,
    )
    return path
