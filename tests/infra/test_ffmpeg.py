"""The media pipeline's tools on clips made here with ffmpeg's lavfi sources."""

import asyncio
import subprocess
from pathlib import Path

import pytest

from hawker.infra import ffmpeg
from tests.services import need_binary


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 s 320x568 clip with sound, in a container and codec browsers do not all play."""
    need_binary("ffmpeg", "apt-get install ffmpeg")
    path = tmp_path_factory.mktemp("clips") / "clip.mkv"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x568:rate=25:d=2",
            "-f",
            "lavfi",
            "-i",
            "sine=d=2",
            "-c:v",
            "mpeg4",
            "-c:a",
            "libopus",
            str(path),
        ],
        check=True,
    )
    return path


def test_probe_reads_a_clip(clip: Path) -> None:
    p = asyncio.run(ffmpeg.probe(clip))
    assert p.has_video and p.has_audio
    assert (p.width, p.height, p.video_codec) == (320, 568, "mpeg4")
    assert 1.9 < p.duration < 2.2


def test_to_mp4_makes_h264_with_faststart_and_poster(clip: Path, tmp_path: Path) -> None:
    out, jpg = tmp_path / "out.mp4", tmp_path / "poster.jpg"
    asyncio.run(ffmpeg.to_mp4(clip, out, max_height=284))
    p = asyncio.run(ffmpeg.probe(out))
    assert (p.video_codec, p.width, p.height) == ("h264", 160, 284)
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # playable before fully downloaded
    asyncio.run(ffmpeg.poster(out, jpg, at=1.0))
    assert jpg.read_bytes()[:3] == b"\xff\xd8\xff"


def test_text_and_images_are_not_video(tmp_path: Path) -> None:
    need_binary("ffmpeg", "apt-get install ffmpeg")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n")
    with pytest.raises(ffmpeg.MediaToolError, match="ffprobe failed"):
        asyncio.run(ffmpeg.probe(text))
    png = tmp_path / "still.png"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=red:size=64x64",
            "-frames:v",
            "1",
            str(png),
        ],
        check=True,
    )
    assert not asyncio.run(ffmpeg.probe(png)).has_video
