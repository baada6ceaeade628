"""Creators listen to the outbox: payments and refunds feed the commission ledger and the
sales behind leaderboards; shows scheduled or going live notify the host's followers (each
consumer runs through ``outbox.consume``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core import outbox
from hawker.core.outbox import OutboxEvent
from hawker.creators import commissions, leaderboards, notifications
from hawker.infra.runtime import Runtime


async def run_listeners(rt: Runtime) -> int:
    """One pass of every consumer. Returns the commission postings made (for tests)."""
    rate = rt.settings.default_commission_bps

    async def commission(s: AsyncSession, event: OutboxEvent) -> bool:
        return await commissions.do_apply_order_money(s, event.id, event.data, rate)

    posted = await outbox.consume(rt.db, commissions.CONSUMER, commission)
    await catch_up_sales(rt)
    notices: dict[int, dict[str, object]] = {}
    await outbox.consume(
        rt.db,
        notifications.CONSUMER,
        _notify(notices),
        after=lambda event: rt.bus.publish(
            notifications.CHANNEL, "notification", notices[event.id]
        ),
    )
    return posted


async def catch_up_sales(rt: Runtime) -> int:
    """Bring the sales read model up to date (leaderboards, tiers, the GMV big screen). The
    big screen calls it every second it is open, so its figures need not wait for the sweep."""
    applied = await outbox.consume(rt.db, leaderboards.CONSUMER, leaderboards.do_apply_sale)
    if applied:
        await rt.bus.publish(leaderboards.CHANNEL, "leaderboard.changed", {})
    return applied


def _notify(notices: dict[int, dict[str, object]]) -> outbox.Apply:
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
