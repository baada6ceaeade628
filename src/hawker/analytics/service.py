"""Event log: append-only (no update or delete is offered), and the first metrics over it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.models import Event

EventType = Literal[
    "room.join",
    "room.leave",
    "like",
    "chat",
    "product.view",
    "purchase",
    "video.view",
    "replay.view",
    "affiliate.click",
    "refund",
    "section.impression",
    "section.click",
    "experiment.exposure",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


async def record(
    s: AsyncSession,
    type: str,
    *,
    user_id: int | None = None,
    show_id: int | None = None,
    product_id: int | None = None,
    order_id: int | None = None,
    value: int | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event in the caller's transaction (it commits or rolls back with the change
    it describes). ``value`` is watch ms for "room.leave" and "video.view", a count for
    "like", minor units for "purchase" and "refund". "section.impression"/"section.click"
    carry ``data["section"]`` (a front-page section's key, e.g. "home.live") and ``value`` the
    impressions (clicks) the event counts; "experiment.exposure" carries
    ``data`` {experiment, variant, unit} (see hawker.experiments.exposures). The event gets
    its id when the session flushes."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = Event(
        type=type,
        user_id=user_id,
        show_id=show_id,
        product_id=product_id,
        order_id=order_id,
        value=value,
        data=data,
    )
    s.add(event)
    return event


async def list_events(
    s: AsyncSession, *, type: str | None = None, show_id: int | None = None, limit: int = 100
) -> list[Event]:
    """Newest first: ids grow with every append."""
    stmt = select(Event).order_by(Event.id.desc()).limit(limit)
    if type:
        stmt = stmt.where(Event.type == type)
    if show_id is not None:
        stmt = stmt.where(Event.show_id == show_id)
    return list(await s.scalars(stmt))


@dataclass(frozen=True)
class ShowMetrics:
    joins: int
    unique_viewers: int
    watch_ms: int
    likes: int
    chats: int


async def show_metrics(s: AsyncSession, show_id: int) -> ShowMetrics:
    """One aggregate pass over the show's events (joins, distinct viewers, watch time, likes,
    chats); the database does the counting."""
    row = (
        await s.execute(
            select(
                func.count().filter(Event.type == "room.join"),
                func.count(distinct(Event.user_id)).filter(Event.type == "room.join"),
                func.coalesce(func.sum(Event.value).filter(Event.type == "room.leave"), 0),
                func.coalesce(func.sum(Event.value).filter(Event.type == "like"), 0),
                func.count().filter(Event.type == "chat"),
            ).where(Event.show_id == show_id)
        )
    ).one()
    return ShowMetrics(
        joins=row[0],
        unique_viewers=row[1],
        watch_ms=int(row[2] or 0),
        likes=int(row[3] or 0),
        chats=row[4],
    )


WATCH_EVENTS = ("room.leave", "video.view")  # both carry the watch time in ms as ``value``


@dataclass(frozen=True)
class DayActivity:
    day: str  # YYYY-MM-DD (UTC)
    active_buyers: int  # distinct shoppers who paid for something that day
    watch_ms: int  # live rooms and short videos


async def daily_activity(s: AsyncSession, since: datetime) -> list[DayActivity]:
    """Active buyers and watch time per UTC day since ``since``, oldest first (days with
    neither are absent); one grouped pass over the log."""
    day = func.date(Event.at)
    rows = (
        await s.execute(
            select(
                day,
                func.count(distinct(Event.user_id)).filter(Event.type == "purchase"),
                func.coalesce(func.sum(Event.value).filter(Event.type.in_(WATCH_EVENTS)), 0),
            )
            .where(Event.at >= since, Event.type.in_(("purchase", *WATCH_EVENTS)))
            .group_by(day)
        )
    ).all()
    return sorted(
        (DayActivity(str(r[0])[:10], int(r[1]), int(r[2] or 0)) for r in rows),
        key=lambda d: d.day,
    )
