"""Leaderboards: hosts and merchants ranked by net GMV over a period, and rising hosts.

They read the ``sales`` read model, which follows ``order.money`` events from the outbox, so a
refund lowers a ranking as surely as a sale raises it. Every time the sweep applies sales it
publishes ``leaderboard.changed`` on the bus; open leaderboard pages refetch (across nodes with
the Redis bus).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.catalog.models import Merchant
from hawker.core import outbox
from hawker.core.clock import utcnow
from hawker.core.outbox import OutboxEvent
from hawker.creators.gmv import do_roll_up
from hawker.creators.models import Sale

CHANNEL = "leaderboards"
CONSUMER = outbox.consumer("creators.sales", ("order.money",))
Period = Literal["today", "week", "month"]
Board = Literal["hosts", "merchants", "rising"]


def period_start(period: Period, now: datetime | None = None) -> datetime:
    """Start of the UTC day, of the week (Monday) or of the month containing ``now``."""
    now = now or utcnow()
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "today":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


async def do_apply_sale(s: AsyncSession, event: OutboxEvent) -> bool:
    """Keep the sale at its latest net; a paid order appears, a refund lowers it."""
    data: dict[str, Any] = event.data
    if data.get("paid_at") is None:
        return False
    sale = await s.get(Sale, int(data["order_id"]), with_for_update=True)
    before = 0
    if sale is None:
        sale = Sale(
            order_id=int(data["order_id"]),
            host_id=data.get("host_id"),
            merchant_id=int(data["merchant_id"]),
            show_id=data.get("show_id"),
            link_id=data.get("link_id"),
            channel=data.get("channel") or "direct",
            currency=data["currency"],
            net=int(data["net"]),
            paid_at=datetime.fromisoformat(data["paid_at"]),
            last_event_id=event.id,
        )
        s.add(sale)
    elif event.id > sale.last_event_id:
        before, sale.net, sale.last_event_id = sale.net, int(data["net"]), event.id
    else:
        return False
    await s.flush()
    await do_roll_up(s, sale, before)
    return True


@dataclass(frozen=True)
class Entry:
    rank: int
    id: int
    name: str
    avatar_url: str
    gmv: int
    orders: int
    previous_gmv: int = 0  # rising: the period before


async def hosts_by_gmv(
    s: AsyncSession, currency: str, since: datetime, until: datetime | None = None, limit: int = 20
) -> list[Entry]:
    gmv = func.sum(Sale.net).label("gmv")
    query = (
        select(User.id, User.display_name, User.avatar_url, gmv, func.count().label("n"))
        .join(User, User.id == Sale.host_id)
        .where(Sale.currency == currency, Sale.paid_at >= since, Sale.host_id.is_not(None))
        .group_by(User.id, User.display_name, User.avatar_url)
        .having(func.sum(Sale.net) > 0)
        .order_by(gmv.desc(), User.id)
        .limit(limit)
    )
    if until is not None:
        query = query.where(Sale.paid_at < until)
    rows = (await s.execute(query)).all()
    return [Entry(i + 1, r[0], r[1], r[2], int(r[3]), r[4]) for i, r in enumerate(rows)]


async def merchants_by_gmv(
    s: AsyncSession, currency: str, since: datetime, limit: int = 20
) -> list[Entry]:
    gmv = func.sum(Sale.net).label("gmv")
    rows = (
        await s.execute(
            select(Sale.merchant_id, Merchant.name, gmv, func.count())
            .join(Merchant, Merchant.id == Sale.merchant_id)
            .where(Sale.currency == currency, Sale.paid_at >= since)
            .group_by(Sale.merchant_id, Merchant.name)
            .having(func.sum(Sale.net) > 0)
            .order_by(gmv.desc(), Sale.merchant_id)
            .limit(limit)
        )
    ).all()
    return [Entry(i + 1, r[0], r[1], "", int(r[2]), r[3]) for i, r in enumerate(rows)]


async def rising_hosts(
    s: AsyncSession, currency: str, now: datetime | None = None, limit: int = 20
) -> list[Entry]:
    """Hosts whose GMV over the last 7 days grew most over the 7 days before."""
    now = now or utcnow()
    week, before = now - timedelta(days=7), now - timedelta(days=14)
    this = {e.id: e for e in await hosts_by_gmv(s, currency, week, limit=500)}
    prev = {e.id: e.gmv for e in await hosts_by_gmv(s, currency, before, week, limit=500)}
    grown = sorted(this.values(), key=lambda e: (-(e.gmv - prev.get(e.id, 0)), e.id))
    return [
        Entry(i + 1, e.id, e.name, e.avatar_url, e.gmv, e.orders, prev.get(e.id, 0))
        for i, e in enumerate(x for x in grown if x.gmv > prev.get(x.id, 0))
    ][:limit]


async def board(s: AsyncSession, which: Board, period: Period, currency: str) -> list[Entry]:
    if which == "rising":
        return await rising_hosts(s, currency)
    since = period_start(period)
    if which == "hosts":
        return await hosts_by_gmv(s, currency, since)
    return await merchants_by_gmv(s, currency, since)
