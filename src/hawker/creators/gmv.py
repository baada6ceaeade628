"""GMV as the big screen and the console read it: totals per currency, the split by channel,
orders in a recent window, GMV per show and per day.

Everything reads the ``sales`` read model (one row per paid order at its net after refunds,
fed by ``order.money`` events), so a refund lowers every figure here as it lowers leaderboards
and commissions. A :class:`Scope` narrows the figures to a campaign's shows, hosts and
merchants; no scope is the whole platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core.clock import utcnow
from hawker.creators.models import Sale

Where = Sequence[ColumnElement[bool]]


@dataclass(frozen=True)
class Scope:
    """Sales of any of these shows, hosts or merchants, paid at or after ``since``. The
    campaigns context turns a campaign into one (its approved shows, hosts and merchants and
    its start); an empty scope matches nothing."""

    label: str
    since: datetime
    show_ids: frozenset[int] = frozenset()
    host_ids: frozenset[int] = frozenset()
    merchant_ids: frozenset[int] = frozenset()

    def clause(self) -> ColumnElement[bool]:
        return or_(
            false(),
            *([Sale.show_id.in_(self.show_ids)] if self.show_ids else []),
            *([Sale.host_id.in_(self.host_ids)] if self.host_ids else []),
            *([Sale.merchant_id.in_(self.merchant_ids)] if self.merchant_ids else []),
        )


def start_of_day(now: datetime | None = None) -> datetime:
    return (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)


def window(scope: Scope | None) -> tuple[datetime, list[ColumnElement[bool]]]:
    """Since when a screen counts sales (its scope's start, or today's UTC midnight for the
    platform) and which sales beyond that."""
    if scope is None:
        return start_of_day(), []
    return scope.since, [scope.clause()]


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    gmv: int
    orders: int  # paid orders not wholly refunded


async def totals(s: AsyncSession, filters: Where) -> list[CurrencyTotal]:
    """Net GMV and orders per currency, largest order count first."""
    rows = (
        await s.execute(
            select(Sale.currency, func.sum(Sale.net), func.count().filter(Sale.net > 0))
            .where(*filters)
            .group_by(Sale.currency)
        )
    ).all()
    found = [CurrencyTotal(r[0], int(r[1] or 0), int(r[2])) for r in rows]
    return sorted(found, key=lambda t: (-t.orders, t.currency))


async def by_channel(s: AsyncSession, filters: Where, currency: str) -> dict[str, int]:
    """Net GMV per channel in one currency, largest first."""
    gmv = func.sum(Sale.net)
    rows = (
        await s.execute(
            select(Sale.channel, gmv)
            .where(*filters, Sale.currency == currency)
            .group_by(Sale.channel)
            .order_by(gmv.desc(), Sale.channel)
        )
    ).all()
    return {r[0]: int(r[1] or 0) for r in rows}


async def orders_since(s: AsyncSession, filters: Where, seconds: float) -> int:
    """Orders paid in the last ``seconds`` (the sliding window of orders per second); a
    refund does not take an order back out of the rate it arrived at."""
    since = utcnow() - timedelta(seconds=seconds)
    return int(await s.scalar(select(func.count()).where(*filters, Sale.paid_at >= since)) or 0)


async def show_gmv(
    s: AsyncSession, show_ids: Sequence[int], currency: str, since: datetime
) -> dict[int, int]:
    if not show_ids:
        return {}
    rows = (
        await s.execute(
            select(Sale.show_id, func.sum(Sale.net))
            .where(Sale.show_id.in_(show_ids), Sale.currency == currency, Sale.paid_at >= since)
            .group_by(Sale.show_id)
        )
    ).all()
    return {r[0]: int(r[1] or 0) for r in rows if r[0] is not None}


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
    day = func.date(Sale.paid_at)
    rows = (
        await s.execute(
            select(
                day,
                Sale.currency,
                func.sum(Sale.net),
                func.coalesce(func.sum(Sale.net).filter(Sale.channel == "live"), 0),
            )
            .where(Sale.paid_at >= since)
            .group_by(day, Sale.currency)
        )
    ).all()
    found = [DayGmv(str(r[0])[:10], r[1], int(r[2] or 0), int(r[3] or 0)) for r in rows]
    return sorted(found, key=lambda d: (d.day, d.currency))
