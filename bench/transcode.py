"""Short-video transcoding: seconds of video per second of wall time through Hawker's pipeline,
beside the same ffmpeg command run directly in the same run (the ceiling).

A portrait clip is made once with lavfi (``testsrc2`` + a sine tone, MPEG-4 Part 2 + AAC, so
the pipeline really re-encodes it). Then, alternating which goes first in each round:

- ceiling: ``ffmpeg.mp4_command`` (H.264 veryfast, at most 1280 high, faststart) run as a
  plain subprocess, nothing else;
- pipeline: ``video.clips.transcode``, what the transcode job runs: the same command, a probe
  of the result, the poster frame, and both files put in a ``LocalMediaStore``.

``*_x_realtime`` are medians over the rounds; ``ratio`` is the median of each round's ratio
(pipeline speed / ceiling speed of the pair run back to back, which other load on the machine
disturbs least). The last line printed is one JSON object.

    python bench/transcode.py --seconds 15 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hawker.infra.ffmpeg import mp4_command
from hawker.infra.media import LocalMediaStore
from hawker.video.clips import MAX_HEIGHT, transcode


def make_source(path: Path, seconds: float, size: str, rate: int) -> None:
    video = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    audio = ["-f", "lavfi", "-i", "sine=frequency=440"]
    codecs = ["-c:v", "mpeg4", "-q:v", "4", "-c:a", "aac"]
    cmd = ["ffmpeg", "-v", "error", "-y", *video, *audio, "-t", str(seconds), *codecs, str(path)]
    subprocess.run(cmd, check=True)


def ceiling(src: Path, work: Path) -> float:
    dst = work / "ceiling.mp4"
    started = time.perf_counter()
    subprocess.run(mp4_command(src, dst, max_height=MAX_HEIGHT), check=True)
    took = time.perf_counter() - started
    dst.unlink()
    return took


def pipeline(src: Path, work: Path, store: LocalMediaStore, n: int) -> float:
    started = time.perf_counter()
    asyncio.run(transcode(src, work / "pipeline", store, f"bench-{n}"))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the clip")
    parser.add_argument("--size", default="720x1280", help="clip size (portrait)")
    parser.add_argument("--rate", type=int, default=30, help="frames per second")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        sys.exit("ffmpeg and ffprobe are needed (apt-get install ffmpeg)")

    with tempfile.TemporaryDirectory(prefix="hawker-transcode-") as tmp:
        work = Path(tmp)
        src = work / "source.mkv"
        make_source(src, args.seconds, args.size, args.rate)
        store = LocalMediaStore(work / "media")
        direct: list[float] = []
        piped: list[float] = []
        for n in range(args.rounds):
            order = ("ceiling", "pipeline") if n % 2 == 0 else ("pipeline", "ceiling")
            for which in order:
                if which == "ceiling":
                    direct.append(ceiling(src, work))
                else:
                    piped.append(pipeline(src, work, store, n))

    ffmpeg_x = args.seconds / statistics.median(direct)
    pipeline_x = args.seconds / statistics.median(piped)
    # each round's pair ran back to back, so its ratio is the least disturbed by other load
    ratio = statistics.median(d / p for d, p in zip(direct, piped, strict=True))
    overhead = statistics.median(p - d for d, p in zip(direct, piped, strict=True))
    print(f"clip: {args.seconds:g} s, {args.size} at {args.rate} fps; {args.rounds} rounds")
    print(f"{'path':<10} {'median s':>9} {'min s':>7} {'max s':>7} {'x realtime':>11}")
    for name, runs, x in (("ffmpeg", direct, ffmpeg_x), ("pipeline", piped, pipeline_x)):
        median = statistics.median(runs)
        print(f"{name:<10} {median:>9.2f} {min(runs):>7.2f} {max(runs):>7.2f} {x:>11.2f}")
    print(f"pipeline minus ffmpeg, median of the rounds' pairs: {overhead:+.2f} s")
    result = {
        "clip_seconds": args.seconds,
        "size": args.size,
        "rounds": args.rounds,
        "pipeline_x_realtime": round(pipeline_x, 3),
        "ffmpeg_x_realtime": round(ffmpeg_x, 3),
        "ratio": round(ratio, 3),
        "overhead_s": round(overhead, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
