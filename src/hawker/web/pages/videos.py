"""The short-video feed: one clip per screen, the newest first; ``/videos/{id}`` (the share
link) starts at that clip. Further clips arrive as HTML fragments from ``/videos/more``, made
by the same template as the first page."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import optional_user, require_role, runtime
from hawker.accounts.models import User
from hawker.catalog import service as catalog
from hawker.core.errors import Invalid
from hawker.infra.runtime import Runtime
from hawker.video import clips
from hawker.video.clip_schemas import ClipOut
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
PAGE = 5
TAG = re.compile(r"^\w{1,50}$")


def caption_parts(caption: str) -> list[tuple[str, str | None]]:
    """The caption as text runs and hashtags (``(text, tag)``), so the template links the
    tags while autoescaping everything."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for m in clips.HASHTAG.finditer(caption):
        if m.start() > at:
            parts.append((caption[at : m.start()], None))
        parts.append((m.group(0), m.group(1).lower()))
        at = m.end()
    if at < len(caption):
        parts.append((caption[at:], None))
    return parts


def _filters(tag: str | None, host: int | None) -> None:
    if tag is not None and not TAG.match(tag):
        raise Invalid("a hashtag is letters, digits or _ (at most 50)")
    if host is not None and host < 1:
        raise Invalid("host must be a host's id")


async def _page(
    rt: Runtime, user: User | None, *, cursor: int | None, tag: str | None, host: int | None
) -> tuple[list[ClipOut], int | None]:
    async with rt.db.read() as s:
        page = await clips.list_clips(s, cursor=cursor, limit=PAGE, tag=tag, host_id=host)
        items = await clips.clips_out(s, page, user)
    return items, (page[-1].id if len(page) == PAGE else None)


def _feed(request: Request, name: str, items: list[ClipOut], **context: Any) -> Response:
    parts = {c.id: caption_parts(c.caption) for c in items}
    return render(request, name, clips=items, parts=parts, **context)


@router.get("/videos")
async def feed(
    request: Request,
    tag: str | None = None,
    host: int | None = None,
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    _filters(tag, host)
    items, cursor = await _page(rt, user, cursor=None, tag=tag, host=host)
    return _feed(request, "videos.html", items, cursor=cursor, tag=tag, host=host)


@router.get("/videos/more")
async def more(
    request: Request,
    cursor: int,
    tag: str | None = None,
    host: int | None = None,
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    _filters(tag, host)
    items, after = await _page(rt, user, cursor=cursor, tag=tag, host=host)
    return _feed(request, "_clips.html", items, cursor=after)


@router.get("/videos/{clip_id}")
async def one(
    request: Request,
    clip_id: int,
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    async with rt.db.read() as s:
        first = await clips.access_clip(s, clip_id, user)
        items = await clips.clips_out(s, [first], user)
    rest, cursor = await _page(rt, user, cursor=clip_id, tag=None, host=None)
    return _feed(request, "videos.html", items + rest, cursor=cursor, tag=None, host=None)


@router.get("/studio/videos")
async def studio_videos(
    request: Request, user: User = Depends(require_role("host")), rt: Runtime = Depends(runtime)
) -> Response:
    """The host's clips in every status, and the upload form."""
    async with rt.db.read() as s:
        mine = await clips.list_clips(s, host_id=user.id, limit=100, include_unready=True)
        items = await clips.clips_out(s, mine, user)
        products = [catalog.product_out(p) for p in await catalog.list_products(s, limit=100)]
    return render(
        request,
        "studio/videos.html",
        clips=items,
        products=products,
        max_seconds=rt.settings.max_clip_seconds,
        max_bytes=rt.settings.max_clip_bytes,
    )
