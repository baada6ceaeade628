"""Notifications: when a followed host schedules a show or goes live, each follower gets an
in-app notice; followers online get it pushed at once.

Shows announce themselves through the outbox (``show.scheduled``, ``show.live``), so a notice
is never lost with a node. One ``INSERT ... SELECT`` writes a notice per follower whatever
their number; one bus message per show tells every node, and each open stream passes it on to
its user only if they follow that host.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core import outbox
from hawker.core.clock import utcnow
from hawker.core.outbox import OutboxEvent
from hawker.creators.models import Follow, Notification
from hawker.live.models import Show

CONSUMER = outbox.consumer("creators.notifications", ("show.scheduled", "show.live"))
CHANNEL = "notifications"


def notice_text(topic: str, host: str, title: str) -> str:
    text = f"{host} is live: {title}" if topic == "show.live" else f"{host} scheduled {title}"
    return text[:200]


async def do_notify_followers(s: AsyncSession, event: OutboxEvent, host_name: str) -> int:
    """A notice for every follower of the event's host. Returns how many were written."""
    data: dict[str, Any] = event.data
    host_id = int(data["host_id"])
    now = utcnow()
    rows = select(
        Follow.follower_id,
        literal(event.topic),
        literal(host_id),
        literal(int(data["show_id"])),
        literal(notice_text(event.topic, host_name, str(data["title"]))),
        literal(now),
    ).where(Follow.host_id == host_id)
    columns = ["user_id", "kind", "host_id", "show_id", "text", "created_at"]
    result = await s.execute(insert(Notification).from_select(columns, rows))
    return max(int(cast(CursorResult[Any], result).rowcount or 0), 0)


async def recent(s: AsyncSession, user_id: int, limit: int = 30) -> list[tuple[Notification, bool]]:
    """The user's latest notices, each with whether its show is live now."""
    rows = await s.execute(
        select(Notification, Show.status == "live")
        .join(Show, Show.id == Notification.show_id)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return [(n, bool(live)) for n, live in rows]


async def unread_count(s: AsyncSession, user_id: int) -> int:
    count = await s.scalar(
        select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def do_mark_read(s: AsyncSession, user_id: int, up_to: int) -> int:
    """Mark every notice up to ``up_to`` read (the ones the user has seen)."""
    result = await s.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.id <= up_to,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return max(int(cast(CursorResult[Any], result).rowcount or 0), 0)


async def followed(s: AsyncSession, user_id: int) -> set[int]:
    return set(await s.scalars(select(Follow.host_id).where(Follow.follower_id == user_id)))
