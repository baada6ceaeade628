"""Short videos (clips): what a host may upload, the transcode pipeline, and the feed's reads.

An upload is checked at the door (``check_clip`` on ffprobe's verdict) and stored as a
``processing`` row; the transcode job (``video/jobs.py``) runs ``transcode`` and then
``do_finish_clip`` or ``do_fail_clip``. Only ``ready`` clips are shown to shoppers.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.catalog import service as catalog
from hawker.catalog.models import Product
from hawker.core.clock import utcnow
from hawker.core.errors import Forbidden, Invalid
from hawker.creators import service as creators
from hawker.creators.schemas import HostProfileOut
from hawker.infra import ffmpeg
from hawker.infra.media import MediaStore
from hawker.video.clip_schemas import ClipOut
from hawker.video.errors import ClipNotFound, ClipTooLong, ClipTooShort, NotAVideo
from hawker.video.models import ShortVideo, ShortVideoHashtag, ShortVideoLike, ShortVideoProduct

CAPTION_MAX = 300
MAX_TAGGED = 5
MAX_HASHTAGS = 10
# "#" then letters, digits or "_" of any script (\w is Unicode-aware on str patterns)
HASHTAG = re.compile(r"#(\w{1,50})")
MAX_HEIGHT = 1280
# Shorter, or a stream whose length ffprobe cannot read (a raw H.264 stream says nothing, so
# the length limit could not be held), is refused; the poster is taken half a second in.
MIN_SECONDS = 1.0
POSTER_AT = 0.5


def check_caption(text: str) -> tuple[str, list[str]]:
    """The caption as stored, and its hashtags normalised (NFC, lower-case, first use first)."""
    caption = unicodedata.normalize("NFC", text.strip())
    if len(caption) > CAPTION_MAX:
        raise Invalid(
            f"captions are at most {CAPTION_MAX} characters (this one has {len(caption)})"
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in caption):
        raise Invalid("captions must not contain control characters")
    tags = list(dict.fromkeys(t.lower() for t in HASHTAG.findall(caption)))
    if len(tags) > MAX_HASHTAGS:
        raise Invalid(f"a caption may carry at most {MAX_HASHTAGS} hashtags")
    return caption, tags


def check_clip(probe: ffmpeg.Probe, max_seconds: float) -> None:
    if not probe.has_video:
        raise NotAVideo("the upload is not a video: no video stream was found in it")
    if probe.duration < MIN_SECONDS:
        raise ClipTooShort(
            f"the clip's length could not be read or is under {MIN_SECONDS:g} s; "
            "upload an MP4, MOV or WebM file of 1 to "
            f"{max_seconds:g} s"
        )
    if probe.duration > max_seconds:
        raise ClipTooLong(
            f"the clip is {probe.duration:.1f} s long; short videos are at most {max_seconds:g} s",
            duration_s=round(probe.duration, 1),
            limit_s=max_seconds,
        )


async def check_tagged_products(s: AsyncSession, product_ids: list[int]) -> list[Product]:
    if len(product_ids) > MAX_TAGGED:
        raise Invalid(f"tag at most {MAX_TAGGED} products")
    if len(set(product_ids)) != len(product_ids):
        raise Invalid("a product is tagged twice")
    products = []
    for product_id in product_ids:
        product = await s.get(Product, product_id)
        if product is None or not product.active:
            raise Invalid(f"product {product_id} does not exist or is not on sale")
        products.append(product)
    return products


async def do_create_clip(
    s: AsyncSession, host: User, caption: str, product_ids: list[int]
) -> ShortVideo:
    if not host.has_role("host"):
        raise Forbidden("only hosts post short videos")
    caption, tags = check_caption(caption)
    await check_tagged_products(s, product_ids)
    clip = ShortVideo(host_id=host.id, caption=caption, status="processing")
    s.add(clip)
    await s.flush()
    s.add_all(ShortVideoHashtag(video_id=clip.id, tag=tag) for tag in tags)
    s.add_all(
        ShortVideoProduct(video_id=clip.id, product_id=pid, position=i)
        for i, pid in enumerate(product_ids)
    )
    return clip


@dataclass(frozen=True)
class Transcoded:
    video_url: str
    poster_url: str
    duration_ms: int
    width: int
    height: int


async def transcode(src: Path, work: Path, store: MediaStore, name: str) -> Transcoded:
    """The pipeline: H.264/AAC MP4 (at most 1280 high, moov first) and a JPEG poster, both put
    in the media store as ``clips/NAME.mp4|jpg``. Callers bound it with a timeout. The poster
    is cut from the source while the encode runs (its own short ffmpeg run; a second output of
    the encode's run cost ~20 % more time), then the probe of the result and the uploads run
    side by side: all of it is overhead on the encode (bench/transcode.py)."""
    await asyncio.to_thread(work.mkdir, parents=True, exist_ok=True)
    mp4, jpg = work / f"{name}.mp4", work / f"{name}.jpg"

    def put(key: str, path: Path) -> str:  # file I/O off the event loop
        return store.put(key, path.read_bytes())

    try:
        await asyncio.gather(
            ffmpeg.to_mp4(src, mp4, max_height=MAX_HEIGHT),
            ffmpeg.poster(src, jpg, at=POSTER_AT, max_height=MAX_HEIGHT),
        )
        made, video_url, poster_url = await asyncio.gather(
            ffmpeg.probe(mp4),
            asyncio.to_thread(put, f"clips/{name}.mp4", mp4),
            asyncio.to_thread(put, f"clips/{name}.jpg", jpg),
        )
        return Transcoded(
            video_url=video_url,
            poster_url=poster_url,
            duration_ms=round(made.duration * 1000),
            width=made.width,
            height=made.height,
        )
    finally:
        mp4.unlink(missing_ok=True)
        jpg.unlink(missing_ok=True)


async def do_finish_clip(s: AsyncSession, clip_id: int, made: Transcoded) -> bool:
    """processing -> ready; false when the clip is gone or was already settled."""
    done = await s.scalar(
        update(ShortVideo)
        .where(ShortVideo.id == clip_id, ShortVideo.status == "processing")
        .values(
            status="ready",
            video_url=made.video_url,
            poster_url=made.poster_url,
            duration_ms=made.duration_ms,
            width=made.width,
            height=made.height,
            ready_at=utcnow(),
        )
        .returning(ShortVideo.id)
    )
    return done is not None


async def do_fail_clip(s: AsyncSession, clip_id: int, reason: str) -> None:
    await s.execute(
        update(ShortVideo)
        .where(ShortVideo.id == clip_id, ShortVideo.status == "processing")
        .values(status="failed", failure=reason[:300])
    )


async def access_clip(s: AsyncSession, clip_id: int, viewer: User | None) -> ShortVideo:
    """A ready clip, or any clip of the viewer's own (so hosts see processing and failures)."""
    clip = await s.get(ShortVideo, clip_id)
    mine = clip is not None and viewer is not None and clip.host_id == viewer.id
    if clip is None or (clip.status != "ready" and not mine):
        raise ClipNotFound(f"short video {clip_id} does not exist")
    return clip


async def access_attribution(s: AsyncSession, clip_id: int, product_ids: set[int]) -> int:
    """The host an order from this clip is attributed to. The clip must be ready and tag every
    product bought, so naming a clip cannot credit its host with unrelated sales."""
    clip = await access_clip(s, clip_id, None)
    tagged = set(
        await s.scalars(
            select(ShortVideoProduct.product_id).where(ShortVideoProduct.video_id == clip.id)
        )
    )
    if not product_ids <= tagged:
        raise Invalid(f"short video {clip_id} does not tag every product in this order")
    return clip.host_id


async def list_clips(
    s: AsyncSession,
    *,
    cursor: int | None = None,
    limit: int = 10,
    tag: str | None = None,
    host_id: int | None = None,
    include_unready: bool = False,
) -> list[ShortVideo]:
    """Newest first, keyset-paginated on id (``cursor``: the last id of the previous page)."""
    stmt = select(ShortVideo).order_by(ShortVideo.id.desc()).limit(limit)
    if not include_unready:
        stmt = stmt.where(ShortVideo.status == "ready")
    if cursor is not None:
        stmt = stmt.where(ShortVideo.id < cursor)
    if tag:
        tagged = select(ShortVideoHashtag.video_id).where(ShortVideoHashtag.tag == tag.lower())
        stmt = stmt.where(ShortVideo.id.in_(tagged))
    if host_id is not None:
        stmt = stmt.where(ShortVideo.host_id == host_id)
    return list(await s.scalars(stmt))


async def clips_out(s: AsyncSession, clips: list[ShortVideo], viewer: User | None) -> list[ClipOut]:
    """Feed items with their host (followers, followed), hashtags and tagged products: one
    query per kind of thing for the whole page, not per clip."""
    ids = [c.id for c in clips]
    host_ids = {c.host_id for c in clips}
    hosts = {u.id: u for u in await s.scalars(select(User).where(User.id.in_(host_ids)))}
    counts = await creators.follower_counts(s, hosts)
    followed = await creators.followed_hosts(s, viewer, hosts)
    tags: dict[int, list[str]] = {i: [] for i in ids}
    for video_id, tag in await s.execute(
        select(ShortVideoHashtag.video_id, ShortVideoHashtag.tag)
        .where(ShortVideoHashtag.video_id.in_(ids))
        .order_by(ShortVideoHashtag.tag)
    ):
        tags[video_id].append(tag)
    products: dict[int, list[Product]] = {i: [] for i in ids}
    for video_id, product in await s.execute(
        select(ShortVideoProduct.video_id, Product)
        .join(Product, Product.id == ShortVideoProduct.product_id)
        .where(ShortVideoProduct.video_id.in_(ids))
        .order_by(ShortVideoProduct.position)
    ):
        products[video_id].append(product)
    liked: set[int] = set()
    if viewer is not None:
        liked = set(
            await s.scalars(
                select(ShortVideoLike.video_id).where(
                    ShortVideoLike.video_id.in_(ids), ShortVideoLike.user_id == viewer.id
                )
            )
        )
    return [
        ClipOut(
            id=c.id,
            host=HostProfileOut(
                id=c.host_id,
                name=hosts[c.host_id].display_name,
                avatar_url=hosts[c.host_id].avatar_url,
                followers=counts[c.host_id],
                following=c.host_id in followed,
            ),
            caption=c.caption,
            hashtags=tags[c.id],
            status=c.status,
            failure=c.failure,
            video_url=c.video_url,
            poster_url=c.poster_url,
            duration_ms=c.duration_ms,
            width=c.width,
            height=c.height,
            likes=c.likes,
            comments=c.comments,
            liked=c.id in liked,
            products=[catalog.product_out(p) for p in products[c.id] if p.active],
            share_url=f"/videos/{c.id}",
            created_at=c.created_at,
        )
        for c in clips
    ]
