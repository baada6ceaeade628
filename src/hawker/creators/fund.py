"""The creator fund: operators set a pool per period and currency; when the period has ended a
job pays it out to hosts pro rata to the qualified watch time of their short videos, through
the same ledger as commissions (``platform:creator_fund`` → ``host:{id}``).

Which views qualify (``Rules``, from settings): the viewer is signed in (anonymous views cannot
be told apart, so they never qualify) and is not the clip's host; the view's watch time,
capped at the clip's length (or ``creator_fund_max_view_ms`` when that is unknown), reaches
``creator_fund_min_watch_ms``; and a viewer earns a clip at most one qualified view per
``creator_fund_burst_window_s`` (windows start afresh with each period). Views come from the
event log (``video.view``, whose data names the clip, its host and its length), so creators
never import video.

Rounding (``split_pool``): largest remainder. Each host gets ``floor(pool * ms / total)``;
the minor units left over go one each to the hosts with the largest remainders, ties to the
lower host id. The shares sum to exactly the pool and each is within one minor unit of the
exact pro-rata amount. A period in which nobody qualified is settled with nothing paid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.accounts.service import check_role
from hawker.analytics.models import Event
from hawker.core.clock import utcnow
from hawker.core.config import Settings
from hawker.core.errors import Invalid, NotFound
from hawker.core.money import CURRENCY_EXPONENT, format_money
from hawker.creators.errors import FundPeriodOverlap
from hawker.creators.fund_models import FundPeriod, FundShare
from hawker.creators.ledger import FUND, Leg, do_post, host_account
from hawker.infra.runtime import Runtime

LONGEST_PERIOD = timedelta(days=366)
# a view stamped just before a period's end may commit just after it: settle a minute later
GRACE = timedelta(minutes=1)
PERIODS_LOCK = 0x46554E44  # PostgreSQL advisory lock serialising period creation


@dataclass(frozen=True)
class Rules:
    min_watch_ms: int
    burst_window_s: int
    max_view_ms: int

    @classmethod
    def of(cls, settings: Settings) -> Rules:
        return cls(
            settings.creator_fund_min_watch_ms,
            settings.creator_fund_burst_window_s,
            settings.creator_fund_max_view_ms,
        )


@dataclass(frozen=True)
class View:
    """One ``video.view`` event as the fund sees it."""

    viewer_id: int | None
    at: datetime
    watched_ms: int
    video_id: int
    host_id: int
    duration_ms: int  # 0: unknown


@dataclass
class Watch:
    ms: int = 0
    views: int = 0


def qualify(views: Iterable[View], rules: Rules) -> dict[int, Watch]:
    """Each host's qualified watch time, from views in time order."""
    window = timedelta(seconds=rules.burst_window_s)
    last: dict[tuple[int, int], datetime] = {}  # (viewer, clip) -> last qualified view
    watch: dict[int, Watch] = defaultdict(Watch)
    for v in views:
        if v.viewer_id is None or v.viewer_id == v.host_id:
            continue
        ms = min(v.watched_ms, v.duration_ms if v.duration_ms > 0 else rules.max_view_ms)
        pair = (v.viewer_id, v.video_id)
        if ms < rules.min_watch_ms or (pair in last and v.at - last[pair] < window):
            continue
        last[pair] = v.at
        watch[v.host_id].ms += ms
        watch[v.host_id].views += 1
    return dict(watch)


async def views_between(
    s: AsyncSession, start: datetime, end: datetime, min_watch_ms: int
) -> list[View]:
    """Signed-in views in [start, end) watched at least ``min_watch_ms``, in time order."""
    rows = await s.execute(
        select(Event.user_id, Event.at, Event.value, Event.data)
        .where(
            Event.type == "video.view",
            Event.at >= start,
            Event.at < end,
            Event.user_id.is_not(None),
            Event.value >= min_watch_ms,
        )
        .order_by(Event.at, Event.id)
    )
    return [
        View(
            user,
            at,
            int(value),
            int(data["video_id"]),
            int(data["host_id"]),
            int(data.get("duration_ms") or 0),
        )
        for user, at, value, data in rows
        if data and "video_id" in data and "host_id" in data
    ]


def split_pool(pool: int, weights: dict[int, int]) -> dict[int, int]:
    """``pool`` minor units split pro rata to ``weights`` by largest remainder (see above)."""
    total = sum(weights.values())
    if total <= 0:
        return {}
    shares = {host: pool * w // total for host, w in weights.items()}
    left = pool - sum(shares.values())
    by_remainder = sorted(weights, key=lambda host: (-(pool * weights[host] % total), host))
    for host in by_remainder[:left]:
        shares[host] += 1
    return shares


def check_period(currency: str, pool: int, starts: datetime, ends: datetime, now: datetime) -> None:
    if currency not in CURRENCY_EXPONENT:
        raise Invalid(f"{currency} is not a currency Hawker pays in")
    if pool <= 0:
        raise Invalid("the pool must be more than zero")
    if starts >= ends:
        raise Invalid("a period ends after it starts")
    if ends - starts > LONGEST_PERIOD:
        raise Invalid("a period lasts at most 366 days")
    if ends <= now:
        raise Invalid("that period has already ended; set a pool before its period ends")


async def lock_periods(s: AsyncSession) -> None:
    """Serialise period creation (SQLite write units are serial already)."""
    if s.get_bind().dialect.name == "postgresql":
        await s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PERIODS_LOCK})


async def do_create_period(
    s: AsyncSession, operator: User, currency: str, pool: int, starts: datetime, ends: datetime
) -> FundPeriod:
    """A new period (times naive UTC); it may not overlap another of its currency."""
    check_role(operator, "operator")
    check_period(currency, pool, starts, ends, utcnow())
    await lock_periods(s)
    clash = await s.scalar(
        select(FundPeriod)
        .where(
            FundPeriod.currency == currency,
            FundPeriod.starts_at < ends,
            FundPeriod.ends_at > starts,
        )
        .limit(1)
    )
    if clash is not None:
        raise FundPeriodOverlap(
            f"period #{clash.id} ({clash.starts_at:%Y-%m-%d %H:%M} to "
            f"{clash.ends_at:%Y-%m-%d %H:%M} UTC) already covers part of that time in {currency}",
            period_id=clash.id,
        )
    period = FundPeriod(
        currency=currency, pool=pool, starts_at=starts, ends_at=ends, created_by=operator.id
    )
    s.add(period)
    await s.flush()
    return period


async def list_periods(s: AsyncSession, limit: int = 100) -> list[FundPeriod]:
    """Latest first."""
    return list(
        await s.scalars(select(FundPeriod).order_by(FundPeriod.starts_at.desc()).limit(limit))
    )


async def access_period(s: AsyncSession, period_id: int) -> FundPeriod:
    period = await s.get(FundPeriod, period_id)
    if period is None:
        raise NotFound(f"no creator fund period {period_id}")
    return period


async def shares(s: AsyncSession, period_id: int) -> list[tuple[FundShare, str]]:
    """A settled period's shares with each host's name, largest first."""
    rows = await s.execute(
        select(FundShare, User.display_name)
        .join(User, User.id == FundShare.host_id)
        .where(FundShare.period_id == period_id)
        .order_by(FundShare.amount.desc(), FundShare.host_id)
    )
    return [(share, name) for share, name in rows]


async def do_settle_period(
    s: AsyncSession, period_id: int, rules: Rules, now: datetime
) -> FundPeriod | None:
    """Pay out one period that ended by ``now``. The conditional UPDATE claims it: a second
    run, concurrent or later, claims nothing and returns None."""
    claimed = await s.scalar(
        update(FundPeriod)
        .where(
            FundPeriod.id == period_id,
            FundPeriod.settled_at.is_(None),
            FundPeriod.ends_at <= now,
        )
        .values(settled_at=utcnow())
        .returning(FundPeriod.id)
    )
    if claimed is None:
        return None
    period = await s.get(FundPeriod, period_id, populate_existing=True)
    assert period is not None
    views = await views_between(s, period.starts_at, period.ends_at, rules.min_watch_ms)
    watch = qualify(views, rules)
    amounts = split_pool(period.pool, {host: w.ms for host, w in watch.items()})
    s.add_all(
        FundShare(
            period_id=period.id,
            host_id=host,
            qualified_ms=w.ms,
            views=w.views,
            amount=amounts.get(host, 0),
        )
        for host, w in watch.items()
    )
    paid, total_ms = sum(amounts.values()), sum(w.ms for w in watch.values())
    legs = [Leg(FUND, period.currency, -paid)]
    legs += [Leg(host_account(h), period.currency, a) for h, a in sorted(amounts.items())]
    await do_post(
        s,
        "creator_fund",
        legs,
        fund_period_id=period.id,
        memo=f"creator fund #{period.id}: {format_money(paid, period.currency)} for {total_ms} ms",
    )
    period.paid, period.qualified_ms = paid, total_ms
    await s.flush()
    return period


async def settle_due(rt: Runtime, now: datetime | None = None) -> list[int]:
    """Pay out every unsettled period that ended a grace minute before ``now``, each in a unit
    of its own (the job; operators may run it at once). Returns the periods it settled."""
    cutoff = (now or utcnow()) - GRACE
    async with rt.db.read() as s:
        due = await s.scalars(
            select(FundPeriod.id)
            .where(FundPeriod.settled_at.is_(None), FundPeriod.ends_at <= cutoff)
            .order_by(FundPeriod.ends_at)
        )
        ids = list(due)
    settled = []
    for period_id in ids:
        async with rt.db.write() as s:
            if await do_settle_period(s, period_id, Rules.of(rt.settings), cutoff) is not None:
                settled.append(period_id)
    return settled
