"""A transactional outbox: durable domain events for contexts that listen rather than are
called (DESIGN: creators, analytics and experiments listen to ``order.paid`` and the like).

A producer writes its event in the same transaction as the change it describes, so the event
exists exactly when the change does: no event for a rolled-back change, and none lost with a
node that dies after the commit (the room bus, published after commit, may lose it).

Each consumer takes the events not yet delivered to it, oldest first, and marks each one
delivered in the same transaction as its effect, so every event takes effect once per
consumer. Delivery is tracked per event rather than by a cursor: ids are handed out before
commit, so a cursor could step over an event whose transaction committed late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, and_, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import BIG_ID, Base


class OutboxEvent(Base):
    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    subject_id: Mapped[int] = mapped_column(Integer)  # e.g. the order id
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutboxDelivery(Base):
    __tablename__ = "outbox_deliveries"

    consumer: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), primary_key=True
    )
    delivered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


async def emit(s: AsyncSession, topic: str, subject_id: int, data: dict[str, Any]) -> None:
    """Record an event inside the caller's transaction."""
    await s.execute(
        insert(OutboxEvent).values(
            topic=topic, subject_id=subject_id, data=data, created_at=utcnow()
        )
    )


async def latest(s: AsyncSession, topics: tuple[str, ...]) -> int:
    """The newest event id of ``topics`` (0 when none): a cheap "anything new?" before the
    scan ``pending`` makes (an event committed late under an older id is left to the sweep)."""
    return int(
        await s.scalar(select(func.max(OutboxEvent.id)).where(OutboxEvent.topic.in_(topics))) or 0
    )


async def pending(
    s: AsyncSession, consumer: str, topics: tuple[str, ...], limit: int = 500
) -> list[OutboxEvent]:
    """Events of ``topics`` not yet delivered to ``consumer``, oldest first."""
    delivered = and_(OutboxDelivery.event_id == OutboxEvent.id, OutboxDelivery.consumer == consumer)
    rows = await s.scalars(
        select(OutboxEvent)
        .outerjoin(OutboxDelivery, delivered)
        .where(OutboxEvent.topic.in_(topics), OutboxDelivery.event_id.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return list(rows)


async def do_mark_delivered(s: AsyncSession, consumer: str, event_id: int) -> bool:
    """Mark the event delivered in the consumer's transaction. False if another run of the
    same consumer got there first (the caller then rolls its effect back)."""
    found = await s.get(OutboxDelivery, (consumer, event_id))
    if found is not None:
        return False
    s.add(OutboxDelivery(consumer=consumer, event_id=event_id, delivered_at=utcnow()))
    await s.flush()  # a concurrent twin fails here on the primary key
    return True
