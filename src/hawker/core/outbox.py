"""A transactional outbox: durable domain events for contexts that listen rather than are
called (DESIGN: creators, analytics and experiments listen to ``order.paid`` and the like).

A producer writes its event in the same transaction as the change it describes, so the event
exists exactly when the change does: no event for a rolled-back change, and none lost with a
node that dies after the commit (the room bus, published after commit, may lose it).

Each consumer takes the events not yet delivered to it, oldest first, and marks each one
delivered in the same transaction as its effect, so every event takes effect once per
consumer. Delivery is tracked per event rather than by a cursor: ids are handed out before
commit, so a cursor could step over an event whose transaction committed late.

Consumers are declared with ``consumer(name, topics)`` so that pruning knows who must have
seen an event before it goes: ``do_prune`` deletes events past the retention that every
consumer of their topic has taken (an event a consumer still lacks stays, however old).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    and_,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import BIG_ID, Base, Database


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


@dataclass(frozen=True)
class Consumer:
    name: str
    topics: tuple[str, ...]


CONSUMERS: dict[str, Consumer] = {}
PRUNE_BATCH = 2000


def consumer(name: str, topics: tuple[str, ...]) -> Consumer:
    """Declare a consumer (once, at import) so pruning waits for it."""
    declared = CONSUMERS.setdefault(name, Consumer(name, topics))
    if declared.topics != topics:
        raise ValueError(f"outbox consumer {name!r} declared twice with different topics")
    return declared


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


async def pending(s: AsyncSession, consumer: Consumer, limit: int = 500) -> list[OutboxEvent]:
    """Events of the consumer's topics not yet delivered to it, oldest first."""
    delivered = and_(
        OutboxDelivery.event_id == OutboxEvent.id, OutboxDelivery.consumer == consumer.name
    )
    rows = await s.scalars(
        select(OutboxEvent)
        .outerjoin(OutboxDelivery, delivered)
        .where(OutboxEvent.topic.in_(consumer.topics), OutboxDelivery.event_id.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return list(rows)


async def do_mark_delivered(s: AsyncSession, consumer: Consumer, event_id: int) -> bool:
    """Mark the event delivered in the consumer's transaction. False if another run of the
    same consumer got there first (the caller then rolls its effect back)."""
    found = await s.get(OutboxDelivery, (consumer.name, event_id))
    if found is not None:
        return False
    s.add(OutboxDelivery(consumer=consumer.name, event_id=event_id, delivered_at=utcnow()))
    await s.flush()  # a concurrent twin fails here on the primary key
    return True


Apply = Callable[[AsyncSession, OutboxEvent], Awaitable[bool | int]]


async def consume(
    db: Database,
    consumer: Consumer,
    apply: Apply,
    after: Callable[[OutboxEvent], Awaitable[object]] | None = None,
) -> int:
    """One pass of a consumer: each pending event in its own unit with its delivery mark, so
    one bad event does not hold the others back and none takes effect twice. Returns the sum
    of what ``apply`` returned (True counts 1). ``after`` runs once an event's unit has
    committed (bus messages never announce what a rollback then takes back)."""
    async with db.read() as s:
        events = await pending(s, consumer)
    changed = 0
    for event in events:
        try:
            async with db.write() as s:
                if not await do_mark_delivered(s, consumer, event.id):
                    continue
                changed += int(await apply(s, event))
        except IntegrityError:  # another node's sweep applied it at the same moment
            continue
        if after is not None:
            await after(event)
    return changed


async def do_prune(s: AsyncSession, before: datetime) -> int:
    """Delete events created before ``before`` that every declared consumer of their topic has
    taken (their delivery marks go with them). Returns how many went."""
    pruned = 0
    topics = {topic for c in CONSUMERS.values() for topic in c.topics}
    for topic in topics:
        names = [c.name for c in CONSUMERS.values() if topic in c.topics]
        taken = (
            select(func.count())
            .where(OutboxDelivery.event_id == OutboxEvent.id, OutboxDelivery.consumer.in_(names))
            .scalar_subquery()
        )
        done = (
            select(OutboxEvent.id)
            .where(OutboxEvent.topic == topic, OutboxEvent.created_at < before)
            .where(taken == len(names))
            .limit(PRUNE_BATCH)  # bound the IN lists below (database parameter limits)
        )
        while ids := list(await s.scalars(done)):
            await s.execute(delete(OutboxDelivery).where(OutboxDelivery.event_id.in_(ids)))
            await s.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))
            pruned += len(ids)
    return pruned
