"""Short videos for ``hawker demo``: a few clips made with ffmpeg's lavfi sources and posted
through the upload API by the demo hosts, so the feed is alive. Without ffmpeg the feed is
simply empty."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import httpx2 as httpx

from hawker.sim.catalogue import HOSTS, PASSWORD, PRODUCTS
from hawker.sim.client import HawkerClient

log = logging.getLogger(__name__)

# (host index, lavfi source, caption, product index)
CLIPS = [
    (0, "testsrc2", "Three steps to a glass-skin glow #skincare #glow", 1),
    (1, "smptebars", "Unboxing the quietest headphones I own #tech #unboxing", 3),
    (0, "rgbtestsrc", "Lip colour of the week: Ruby #lipstick #beauty", 0),
]


async def _make(path: Path, source: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        *["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"{source}=size=360x640:rate=24"],
        *["-f", "lavfi", "-i", "sine=frequency=330", "-t", "6"],
        *["-c:v", "mpeg4", "-q:v", "5", "-c:a", "aac", str(path)],
        stdin=asyncio.subprocess.DEVNULL,
    )
    if await proc.wait() != 0:
        raise RuntimeError(f"ffmpeg could not make the demo clip {path.name}")


async def seed_clips(http: httpx.AsyncClient, work: Path) -> int:
    """Post the demo clips (each is transcoded by the server's job); returns how many. A
    failure is logged, not raised: the rest of the demo goes on without short videos."""
    if shutil.which("ffmpeg") is None:
        log.warning("no ffmpeg: the demo has no short videos (apt-get install ffmpeg)")
        return 0
    try:
        return await _post_clips(http, work)
    except (OSError, RuntimeError, httpx.HTTPError) as e:
        log.error("the demo's short videos could not be posted: %s", e)
        return 0


async def _post_clips(http: httpx.AsyncClient, work: Path) -> int:
    await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
    hosts = []
    for h in HOSTS:
        client = HawkerClient(http)
        await client.log_in(h["email"], PASSWORD)
        hosts.append(client)
    by_title = {p["title"]: p["id"] for p in (await http.get("/api/products?limit=100")).json()}
    for n, (host, source, caption, product) in enumerate(CLIPS):
        path = work / f"clip-{n}.mkv"
        await _make(path, source)
        r = await http.post(
            "/api/videos",
            files={
                "file": (path.name, await asyncio.to_thread(path.read_bytes), "video/x-matroska")
            },
            data={"caption": caption, "product_ids": str(by_title[PRODUCTS[product][1]])},
            headers=hosts[host].headers,
        )
        r.raise_for_status()
        await asyncio.to_thread(path.unlink)
    return len(CLIPS)
