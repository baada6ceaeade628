"""Short-video routes: upload (hosts), the feed, likes, comments and views."""

from __future__ import annotations

import asyncio
import shutil

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from hawker.accounts.auth import current_user, optional_user, runtime
from hawker.accounts.models import User
from hawker.accounts.service import check_role
from hawker.core.errors import Invalid
from hawker.core.ids import new_token
from hawker.infra import ffmpeg
from hawker.infra.runtime import Runtime
from hawker.video import clip_social, clips
from hawker.video.clip_schemas import ClipOut, ClipPage, CommentIn, CommentOut, LikeOut, ViewIn
from hawker.video.errors import ClipTooLarge, MediaToolsMissing, NotAVideo
from hawker.video.jobs import enqueue_transcode, upload_path
from hawker.video.upload import receive_clip

router = APIRouter(prefix="/api", tags=["short videos"])
PROBE_SECONDS = 20
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the file
MAX_PAGE = 30


def _product_ids(values: list[str]) -> list[int]:
    """``product_ids`` as repeated fields and/or comma-separated ("3,7")."""
    parts = [p.strip() for v in values for p in v.split(",") if p.strip()]
    if not all(p.isdigit() and 0 < int(p) < 2**31 for p in parts):
        raise Invalid("product_ids must be product ids (positive whole numbers)")
    return [int(p) for p in parts]


@router.post("/videos", status_code=201)
async def upload_clip(
    request: Request, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ClipOut:
    """multipart/form-data: ``file`` (the clip), ``caption``, ``product_ids``. The clip is
    checked before anything is stored; transcoding runs in the background (status
    ``processing`` until ``ready`` or ``failed``)."""
    check_role(user, "host")
    if shutil.which("ffprobe") is None:
        raise MediaToolsMissing(f"the server has no ffprobe ({ffmpeg.INSTALL_HINT})")
    limit = rt.settings.max_clip_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise ClipTooLarge(f"clips may be at most {limit:,} bytes")
    incoming = upload_path(rt.settings, 0).with_name(f"incoming-{new_token(9)}.upload")
    incoming.parent.mkdir(parents=True, exist_ok=True)
    try:
        got = await receive_clip(
            request.headers.get("content-type", ""), request.stream(), incoming, limit
        )
        caption = got.fields.get("caption", [""])[-1]
        product_ids = _product_ids(got.fields.get("product_ids", []))
        clips.check_caption(caption)  # cheap checks first: no probe for a bad caption
        try:
            async with asyncio.timeout(PROBE_SECONDS):
                probe = await ffmpeg.probe(incoming)
        except (ffmpeg.MediaToolError, TimeoutError) as e:
            raise NotAVideo("the upload is not a video ffprobe can read") from e
        clips.check_clip(probe, rt.settings.max_clip_seconds)
        async with rt.db.write() as s:
            clip = await clips.do_create_clip(s, user, caption, product_ids)
            incoming.rename(upload_path(rt.settings, clip.id))
    finally:
        incoming.unlink(missing_ok=True)
    await asyncio.to_thread(enqueue_transcode, rt, clip.id)
    async with rt.db.read() as s:
        return (await clips.clips_out(s, [await clips.access_clip(s, clip.id, user)], user))[0]


@router.get("/videos")
async def feed(
    cursor: int | None = Query(default=None, ge=1),
    limit: int = Query(default=10, ge=1, le=MAX_PAGE),
    tag: str | None = Query(default=None, min_length=1, max_length=50, pattern=r"^\w+$"),
    host_id: int | None = Query(default=None, ge=1),
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> ClipPage:
    """Ready clips, newest first; ``next_cursor`` fetches the next page."""
    async with rt.db.read() as s:
        page = await clips.list_clips(s, cursor=cursor, limit=limit, tag=tag, host_id=host_id)
        items = await clips.clips_out(s, page, user)
    return ClipPage(items=items, next_cursor=page[-1].id if len(page) == limit else None)


@router.get("/me/videos")
async def my_clips(user: User = Depends(current_user), rt: Runtime = Depends(runtime)) -> ClipPage:
    """The caller's own clips in every status (the studio polls this while one processes)."""
    async with rt.db.read() as s:
        page = await clips.list_clips(s, host_id=user.id, limit=100, include_unready=True)
        return ClipPage(items=await clips.clips_out(s, page, user), next_cursor=None)


@router.get("/videos/{clip_id}")
async def clip(
    clip_id: int, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> ClipOut:
    async with rt.db.read() as s:
        return (await clips.clips_out(s, [await clips.access_clip(s, clip_id, user)], user))[0]


async def _like(rt: Runtime, user: User, clip_id: int, liked: bool) -> LikeOut:
    async with rt.db.write() as s:
        row = await clip_social.do_like(s, user, clip_id, liked=liked)
        return LikeOut(likes=row.likes, liked=liked)


@router.post("/videos/{clip_id}/like")
async def like(
    clip_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> LikeOut:
    return await _like(rt, user, clip_id, True)


@router.delete("/videos/{clip_id}/like")
async def unlike(
    clip_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> LikeOut:
    return await _like(rt, user, clip_id, False)


@router.get("/videos/{clip_id}/comments")
async def comments(
    clip_id: int, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> list[CommentOut]:
    async with rt.db.read() as s:
        return await clip_social.list_comments(s, clip_id, user)


@router.post("/videos/{clip_id}/comments", status_code=201)
async def comment(
    clip_id: int,
    body: CommentIn,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> CommentOut:
    async with rt.db.write() as s:
        return await clip_social.do_comment(
            s, user, clip_id, body.text, rt.settings.clip_comment_rate_per_10s
        )


@router.post("/videos/{clip_id}/views", status_code=204)
async def view(
    clip_id: int,
    body: ViewIn,
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    """How long one view watched the clip (the feed sends it when the clip leaves the screen)."""
    async with rt.db.write() as s:
        await clip_social.do_record_view(s, user, clip_id, body.watched_ms)
    return Response(status_code=204)
