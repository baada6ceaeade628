"""ffmpeg and ffprobe as async subprocesses: the media pipeline's only tools.

Short-video uploads and show recordings both go through here: ``probe`` says what a file is,
``to_mp4`` makes the H.264/AAC MP4 every browser plays (moov atom first so playback and seeking
start before the whole file arrives), ``poster`` grabs one frame as a JPEG.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "apt-get install ffmpeg"


class MediaToolError(RuntimeError):
    """ffmpeg or ffprobe failed, timed out, or is not installed."""


@dataclass(frozen=True)
class Probe:
    duration: float  # seconds; 0.0 when the container does not say
    has_video: bool
    has_audio: bool
    width: int
    height: int
    video_codec: str | None


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MediaToolError(f"{name} is not installed ({INSTALL_HINT})")
    return path


async def _run(argv: list[str]) -> bytes:
    """Run to completion; a caller bounds it with ``asyncio.timeout``, and cancelling kills
    the child rather than leaving it running."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await proc.communicate()
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-3:]
        raise MediaToolError(f"{Path(argv[0]).name} failed: {' / '.join(tail) or proc.returncode}")
    return out


async def probe(path: Path) -> Probe:
    """What ``path`` holds. A file ffprobe cannot read at all raises ``MediaToolError``."""
    out = await _run(
        [
            _tool("ffprobe"),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ]
    )
    info = json.loads(out or b"{}")
    streams = info.get("streams", [])
    # a still image (JPEG, PNG) is a one-frame "video" stream to ffprobe; a clip is not that
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        and not s.get("disposition", {}).get("attached_pic")
        and s.get("codec_name") not in {"mjpeg", "png", "bmp", "gif", "webp"}
    ]
    video = videos[0] if videos else {}
    try:
        duration = float(info.get("format", {}).get("duration") or 0.0)
    except ValueError:
        duration = 0.0
    return Probe(
        duration=duration,
        has_video=bool(videos),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        video_codec=video.get("codec_name"),
    )


def mp4_command(src: Path, dst: Path, *, max_height: int = 1280, copy: bool = False) -> list[str]:
    """The ffmpeg command ``to_mp4`` runs (a benchmark runs it directly as its ceiling).
    ``copy`` remuxes without re-encoding, for sources already in H.264/AAC (show recordings)."""
    codecs = (
        ["-c", "copy"]
        if copy
        else [
            "-vf",
            # never upscale; keep even dimensions for yuv420p
            f"scale=-2:'min({max_height},ih)':flags=bicubic",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
        ]
    )
    return [
        "ffmpeg",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(src),
        *codecs,
        "-movflags",
        "+faststart",
        str(dst),
    ]


async def to_mp4(src: Path, dst: Path, *, max_height: int = 1280, copy: bool = False) -> None:
    argv = mp4_command(src, dst, max_height=max_height, copy=copy)
    await _run([_tool("ffmpeg"), *argv[1:]])


async def poster(src: Path, dst: Path, *, at: float = 0.5, max_height: int = 1280) -> None:
    """One JPEG frame ``at`` seconds in (clamped by ffmpeg to the clip's last frame), at most
    ``max_height`` high. Seeking on the input decodes from the nearest key frame only: about
    0.15 s, where a second output of the encode's own run cost it a fifth more time."""
    await _run(
        [
            _tool("ffmpeg"),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-ss",
            f"{at:.3f}",
            "-i",
            str(src),
            "-vf",
            f"scale=-2:'min({max_height},ih)'",
            "-frames:v",
            "1",
            "-q:v",
            "4",
            "-update",
            "1",
            str(dst),
        ]
    )
