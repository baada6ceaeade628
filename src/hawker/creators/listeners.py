"""Creators listen to the outbox: payments and refunds feed the commission ledger and the
sales behind leaderboards; shows scheduled or going live notify the host's followers.

Each consumer takes its pending events in order, each in its own unit with its delivery mark,
so one bad event does not hold the others back and none takes effect twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core import outbox
from hawker.core.outbox import OutboxEvent
from hawker.creators import commissions, leaderboards, notifications
from hawker.infra.runtime import Runtime

Apply = Callable[[AsyncSession, OutboxEvent], Awaitable[bool | int]]
MONEY = ("order.money",)


async def run_listeners(rt: Runtime) -> int:
    """One pass of every consumer. Returns the commission postings made (for tests)."""
    rate = rt.settings.default_commission_bps

    async def commission(s: AsyncSession, event: OutboxEvent) -> bool:
        return await commissions.do_apply_order_money(s, event.id, event.data, rate)

    posted = await _consume(rt, commissions.CONSUMER, MONEY, commission)
    await catch_up_sales(rt)
    notices: dict[int, dict[str, object]] = {}
    await _consume(
        rt,
        notifications.CONSUMER,
        notifications.TOPICS,
        _notify(notices),
        after=lambda event: rt.bus.publish(
            notifications.CHANNEL, "notification", notices[event.id]
        ),
    )
    return posted


async def catch_up_sales(rt: Runtime) -> int:
    """Bring the sales read model up to date (leaderboards, tiers, the GMV big screen). The
    big screen calls it every second it is open, so its figures need not wait for the sweep."""
    applied = await _consume(rt, leaderboards.CONSUMER, MONEY, leaderboards.do_apply_sale)
    if applied:
        await rt.bus.publish(leaderboards.CHANNEL, "leaderboard.changed", {})
    return applied


def _notify(notices: dict[int, dict[str, object]]) -> Apply:
    async def apply(s: AsyncSession, event: OutboxEvent) -> int:
        host = await s.get(User, int(event.data["host_id"]))
        name = host.display_name if host else "A host"
        notices[event.id] = {
            "kind": event.topic,
            "host_id": event.data["host_id"],
            "show_id": event.data["show_id"],
            "text": notifications.notice_text(event.topic, name, str(event.data["title"])),
        }
        return await notifications.do_notify_followers(s, event, name)

    return apply


async def _consume(
    rt: Runtime,
    consumer: str,
    topics: tuple[str, ...],
    apply: Apply,
    after: Callable[[OutboxEvent], Awaitable[object]] | None = None,
) -> int:
    """``after`` runs once an event's unit has committed (bus messages never announce what a
    rollback then takes back)."""
    async with rt.db.read() as s:
        events = await outbox.pending(s, consumer, topics)
    changed = 0
    for event in events:
        try:
            async with rt.db.write() as s:
                if not await outbox.do_mark_delivered(s, consumer, event.id):
                    continue
                changed += int(await apply(s, event))
        except IntegrityError:  # another node's sweep applied it at the same moment
            continue
        if after is not None:
            await after(event)
    return changed
