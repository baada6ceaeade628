"""What shoppers do to a short video: like, comment, and watch (a view with its watch time
goes to the event log)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.analytics.service import record
from hawker.core.clock import utcnow
from hawker.core.db import upsert_insert
from hawker.core.errors import Invalid
from hawker.video.clip_schemas import CommentOut
from hawker.video.clips import access_clip
from hawker.video.errors import CommentRateLimited
from hawker.video.models import ShortVideo, ShortVideoComment, ShortVideoLike

COMMENT_MAX = 300
RATE_WINDOW = timedelta(seconds=10)


async def do_like(s: AsyncSession, user: User, clip_id: int, *, liked: bool) -> ShortVideo:
    """Like or unlike; repeating either changes nothing. The counter moves only with a row
    actually added or removed, so it always equals the number of likes."""
    clip = await access_clip(s, clip_id, user)
    if liked:
        changed = await s.scalar(
            upsert_insert(s)(ShortVideoLike)
            .values(video_id=clip.id, user_id=user.id, created_at=utcnow())
            .on_conflict_do_nothing()
            .returning(ShortVideoLike.video_id)
        )
    else:
        changed = await s.scalar(
            delete(ShortVideoLike)
            .where(ShortVideoLike.video_id == clip.id, ShortVideoLike.user_id == user.id)
            .returning(ShortVideoLike.video_id)
        )
    if changed is not None:
        delta = 1 if liked else -1
        await s.execute(
            update(ShortVideo)
            .where(ShortVideo.id == clip.id)
            .values(likes=ShortVideo.likes + delta)
        )
        await s.refresh(clip)
    return clip


def check_comment_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("write something first")
    if len(text) > COMMENT_MAX:
        raise Invalid(f"comments are at most {COMMENT_MAX} characters")
    return text


async def do_comment(
    s: AsyncSession, user: User, clip_id: int, text: str, rate_per_10s: int
) -> CommentOut:
    text = check_comment_text(text)
    clip = await access_clip(s, clip_id, user)
    # counted in the database, so the budget holds across nodes
    recent = await s.scalar(
        select(func.count()).where(
            ShortVideoComment.user_id == user.id,
            ShortVideoComment.created_at > utcnow() - RATE_WINDOW,
        )
    )
    if (recent or 0) >= rate_per_10s:
        raise CommentRateLimited(f"you can post {rate_per_10s} comments per 10 s; wait a moment")
    comment = ShortVideoComment(video_id=clip.id, user_id=user.id, text=text, created_at=utcnow())
    s.add(comment)
    await s.execute(
        update(ShortVideo).where(ShortVideo.id == clip.id).values(comments=ShortVideo.comments + 1)
    )
    await s.flush()
    return CommentOut(
        id=comment.id, user_id=user.id, name=user.display_name, text=text, at=comment.created_at
    )


async def list_comments(
    s: AsyncSession, clip_id: int, viewer: User | None, limit: int = 50
) -> list[CommentOut]:
    """Newest first."""
    clip = await access_clip(s, clip_id, viewer)
    rows = await s.execute(
        select(ShortVideoComment, User.display_name)
        .join(User, User.id == ShortVideoComment.user_id)
        .where(ShortVideoComment.video_id == clip.id)
        .order_by(ShortVideoComment.id.desc())
        .limit(limit)
    )
    return [
        CommentOut(id=c.id, user_id=c.user_id, name=name, text=c.text, at=c.created_at)
        for c, name in rows
    ]


async def do_record_view(
    s: AsyncSession, viewer: User | None, clip_id: int, watched_ms: int
) -> None:
    """One view and how long it was watched, in the event log (anonymous views count too).
    The clip's length goes with it: the creator fund caps a view's watch time at it."""
    clip = await access_clip(s, clip_id, viewer)
    await record(
        s,
        "video.view",
        user_id=viewer.id if viewer else None,
        value=watched_ms,
        data={"video_id": clip.id, "host_id": clip.host_id, "duration_ms": clip.duration_ms},
    )
