"""What making a replay costs, beside copying the recording.

Generates a recording like the ones nginx writes (FLV, H.264 baseline with a key frame a
second, AAC), then times, each ``--runs`` times:

- ceiling: copying the file (the least any replay pipeline must do: read it, write it);
- remux: ``infra.ffmpeg.to_mp4(copy=True)``, the replay job's path (moov atom first);
- poster: one JPEG frame;
- re-encode: ``to_mp4`` without copy, the job's fallback, for scale.

Per-hour figures extrapolate linearly (remux is I/O bound; re-encode is CPU bound and will
be worse on a busy machine). The last line printed is one JSON object.

    python bench/replay_remux.py --seconds 120
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from hawker.infra import ffmpeg


def make_recording(path: Path, seconds: float) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=540x960:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
         "-t", str(seconds), "-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast",
         "-g", "25", "-b:v", "900k", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
         "-f", "flv", str(path)],
        check=True,
    )  # fmt: skip


async def timed(step: Callable[[], Awaitable[object]], runs: int) -> float:
    """Median wall seconds of ``runs`` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def main(seconds: float, runs: int, reencode: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        flv, mp4 = folder / "show-1-1.flv", folder / "replay.mp4"
        make_recording(flv, seconds)

        async def copy() -> None:
            await asyncio.to_thread(shutil.copyfile, flv, folder / "copy.flv")

        async def remux() -> None:
            await ffmpeg.to_mp4(flv, mp4, copy=True)

        async def poster() -> None:
            await ffmpeg.poster(mp4, folder / "poster.jpg", at=2.0)

        async def encode() -> None:
            await ffmpeg.to_mp4(flv, folder / "encoded.mp4")

        result = {
            "recording_s": seconds,
            "recording_mb": round(flv.stat().st_size / 1e6, 2),
            "ceiling_copy_s": await timed(copy, runs),
            "remux_s": await timed(remux, runs),
            "poster_s": await timed(poster, runs),
        }
        result["mp4_duration_s"] = (await ffmpeg.probe(mp4)).duration
        if reencode:
            result["reencode_s"] = await timed(encode, 1)
    return result


def table(r: dict[str, float]) -> str:
    per_hour = 3600 / r["recording_s"]
    rows = [  # (step, seconds, scales with the show's length)
        ("copy the file (ceiling)", r["ceiling_copy_s"], True),
        ("remux to MP4 (replay job)", r["remux_s"], True),
        ("poster frame (once)", r["poster_s"], False),
    ]
    if "reencode_s" in r:
        rows.append(("re-encode (fallback)", r["reencode_s"], True))
    lines = [
        f"recording: {r['recording_s']:.0f} s, {r['recording_mb']} MB "
        f"(MP4 {r['mp4_duration_s']:.2f} s)",
        f"{'step':28} {'seconds':>8} {'per hour of show':>17} {'x ceiling':>10}",
    ]
    for name, s, scales in rows:
        hour = f"{s * per_hour:16.1f}s" if scales else f"{'-':>17}"
        lines.append(f"{name:28} {s:8.3f} {hour} {s / r['ceiling_copy_s']:10.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="recording length")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-reencode", action="store_true", help="skip the slow fallback")
    args = parser.parse_args()
    found = asyncio.run(main(args.seconds, args.runs, not args.no_reencode))
    print(table(found))
    print(json.dumps(found))
