"""GMV as the big screen and the console read it: totals per currency, the split by channel,
top hosts and merchants, GMV per show and per day, orders in a recent window.

The figures come from ``sales_hours``, kept beside ``sales`` from each sale's change in net
(a payment adds it, a refund takes its part back out), so they agree with leaderboards and
commissions to the minor unit while a frame reads one row per hour and group, not one per
order. A :class:`Scope` narrows them to a campaign's shows, hosts and merchants; no scope is
the whole platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.catalog.models import Merchant
from hawker.core.clock import utcnow
from hawker.core.db import upsert_insert
from hawker.creators.models import Sale, SalesHour

Where = Sequence[ColumnElement[bool]]
GROUP = ["hour", "currency", "channel", "host_id", "merchant_id", "show_id"]  # the primary key


def hour_of(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def start_of_day(now: datetime | None = None) -> datetime:
    return (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)


async def do_roll_up(s: AsyncSession, sale: Sale, before: int) -> None:
    """Move the sale's hour group by its change in net since ``before`` (0 when new); the
    order counts while anything of it is left paid. One upsert: concurrent sweeps add up."""
    net, orders = sale.net - before, int(sale.net > 0) - int(before > 0)
    if not net and not orders:
        return
    insert = upsert_insert(s)
    stmt = insert(SalesHour).values(
        hour=hour_of(sale.paid_at),
        currency=sale.currency,
        channel=sale.channel,
        host_id=sale.host_id or 0,
        merchant_id=sale.merchant_id,
        show_id=sale.show_id or 0,
        net=net,
        orders=orders,
    )
    await s.execute(
        stmt.on_conflict_do_update(
            index_elements=GROUP,
            set_={"net": SalesHour.net + net, "orders": SalesHour.orders + orders},
        )
    )


@dataclass(frozen=True)
class Scope:
    """Sales of any of these shows, hosts or merchants, paid from the start of the hour of
    ``since`` (figures are kept per hour). The campaigns context turns a campaign into one
    (its approved shows, hosts and merchants and its start); an empty scope matches nothing."""

    label: str
    since: datetime
    show_ids: frozenset[int] = frozenset()
    host_ids: frozenset[int] = frozenset()
    merchant_ids: frozenset[int] = frozenset()

    def clause(self, table: Any) -> ColumnElement[bool]:
        """On ``Sale`` or ``SalesHour`` (both have show, host and merchant ids)."""
        return or_(
            false(),
            *([table.show_id.in_(self.show_ids)] if self.show_ids else []),
            *([table.host_id.in_(self.host_ids)] if self.host_ids else []),
            *([table.merchant_id.in_(self.merchant_ids)] if self.merchant_ids else []),
        )


def window(scope: Scope | None) -> tuple[datetime, list[ColumnElement[bool]]]:
    """From when a screen counts (the scope's hour, or today's UTC midnight for the platform)
    and the groups it counts."""
    if scope is None:
        return start_of_day(), [SalesHour.hour >= start_of_day()]
    since = hour_of(scope.since)
    return since, [SalesHour.hour >= since, scope.clause(SalesHour)]


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    gmv: int
    orders: int  # paid orders not wholly refunded


async def totals(s: AsyncSession, where: Where) -> list[CurrencyTotal]:
    """Net GMV and orders per currency, most orders first."""
    rows = (
        await s.execute(
            select(SalesHour.currency, func.sum(SalesHour.net), func.sum(SalesHour.orders))
            .where(*where)
            .group_by(SalesHour.currency)
        )
    ).all()
    found = [CurrencyTotal(r[0], int(r[1] or 0), int(r[2] or 0)) for r in rows]
    return sorted((t for t in found if t.orders or t.gmv), key=lambda t: (-t.orders, t.currency))


async def by_channel(s: AsyncSession, where: Where, currency: str) -> dict[str, int]:
    """Net GMV per channel in one currency, largest first (channels with none left out)."""
    gmv = func.sum(SalesHour.net)
    rows = (
        await s.execute(
            select(SalesHour.channel, gmv)
            .where(*where, SalesHour.currency == currency)
            .group_by(SalesHour.channel)
            .having(gmv > 0)
            .order_by(gmv.desc(), SalesHour.channel)
        )
    ).all()
    return {r[0]: int(r[1]) for r in rows}


@dataclass(frozen=True)
class Ranked:
    id: int
    name: str
    avatar_url: str
    gmv: int
    orders: int


async def top_hosts(s: AsyncSession, where: Where, currency: str, limit: int) -> list[Ranked]:
    gmv = func.sum(SalesHour.net)
    rows = (
        await s.execute(
            select(User.id, User.display_name, User.avatar_url, gmv, func.sum(SalesHour.orders))
            .join(User, User.id == SalesHour.host_id)
            .where(*where, SalesHour.currency == currency, SalesHour.host_id != 0)
            .group_by(User.id, User.display_name, User.avatar_url)
            .having(gmv > 0)
            .order_by(gmv.desc(), User.id)
            .limit(limit)
        )
    ).all()
    return [Ranked(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]


async def top_merchants(s: AsyncSession, where: Where, currency: str, limit: int) -> list[Ranked]:
    gmv = func.sum(SalesHour.net)
    rows = (
        await s.execute(
            select(Merchant.id, Merchant.name, gmv, func.sum(SalesHour.orders))
            .join(Merchant, Merchant.id == SalesHour.merchant_id)
            .where(*where, SalesHour.currency == currency)
            .group_by(Merchant.id, Merchant.name)
            .having(gmv > 0)
            .order_by(gmv.desc(), Merchant.id)
            .limit(limit)
        )
    ).all()
    return [Ranked(r[0], r[1], "", int(r[2]), int(r[3])) for r in rows]


async def show_gmv(
    s: AsyncSession, show_ids: Sequence[int], currency: str, since: datetime
) -> dict[int, int]:
    if not show_ids:
        return {}
    rows = (
        await s.execute(
            select(SalesHour.show_id, func.sum(SalesHour.net))
            .where(
                SalesHour.show_id.in_(show_ids),
                SalesHour.currency == currency,
                SalesHour.hour >= since,
            )
            .group_by(SalesHour.show_id)
        )
    ).all()
    return {r[0]: int(r[1] or 0) for r in rows}


async def orders_since(s: AsyncSession, scope: Scope | None, seconds: float) -> int:
    """Orders paid in the last ``seconds`` (the sliding window of orders per second), read
    from ``sales`` by payment time; a refund does not take an order out of the rate it
    arrived at."""
    since = utcnow() - timedelta(seconds=seconds)
    where = [Sale.paid_at >= since, *([scope.clause(Sale)] if scope else [])]
    return int(await s.scalar(select(func.count()).where(*where)) or 0)


@dataclass(frozen=True)
class DayGmv:
    day: str  # YYYY-MM-DD (UTC)
    currency: str
    gmv: int
    live: int  # of which sold in live shows

    @property
    def live_share_bps(self) -> int:
        """Live's share of the day's GMV in basis points (integer: 0 when nothing sold)."""
        return self.live * 10_000 // self.gmv if self.gmv > 0 else 0


async def daily(s: AsyncSession, since: datetime) -> list[DayGmv]:
    """Net GMV and the part of it sold live, per UTC day and currency."""
    day = func.date(SalesHour.hour)
    live = func.sum(SalesHour.net).filter(SalesHour.channel == "live")
    rows = (
        await s.execute(
            select(day, SalesHour.currency, func.sum(SalesHour.net), func.coalesce(live, 0))
            .where(SalesHour.hour >= since)
            .group_by(day, SalesHour.currency)
        )
    ).all()
    found = [DayGmv(str(r[0])[:10], r[1], int(r[2] or 0), int(r[3] or 0)) for r in rows]
    return sorted((d for d in found if d.gmv), key=lambda d: (d.day, d.currency))
