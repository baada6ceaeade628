"""Traffic boosts: extra front-page score for an item (a show, short video, product or host),
bounded three ways so a boost buys a known amount of attention.

- **multiplier**: the item's section score is multiplied by it (1 < m <= 10);
- **cap**: the boosted score never exceeds ``score_cap`` (when the feed passes its scores,
  the multiplier is lowered to fit, never below 1);
- **daily budget with pacing**: boosted impressions per UTC day. At an instant a fraction
  ``f`` into the day, the boost applies only while today's impressions are below
  ``min(budget, floor(budget * f) + burst)``, ``burst = max(1, budget // 20)`` (5 %): the
  budget is spread over the whole day instead of spent by the morning crowd, and the small
  burst lets a fresh boost be seen at once. Counted impressions never exceed the budget.

The front page asks ``boost_multipliers`` before ranking and reports what it showed with
``do_count_impressions``; items are ``(kind, id)``. A host boost applies to the item
``("host", id)`` (the feed's host rows); video targets are not checked for existence here
(short videos live in a context above this one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit, snapshot
from hawker.accounts.models import User
from hawker.campaigns.models import Boost, BoostDay
from hawker.campaigns.service import access_campaign, check_operator
from hawker.catalog.models import Product
from hawker.core.db import dialect_name, upserts
from hawker.core.errors import Invalid, NotFound
from hawker.live.models import Show

Item = tuple[str, int]
DAY = timedelta(days=1)


def burst(budget: int) -> int:
    return max(1, budget // 20)


def allowance(budget: int, now: datetime) -> int:
    """Boosted impressions allowed so far today (see the module's pacing rule)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    fraction = (now - midnight) / DAY
    return min(budget, int(budget * fraction) + burst(budget))


async def _check_target(s: AsyncSession, kind: str, target_id: int) -> None:
    found: object = True
    if kind == "show":
        found = await s.get(Show, target_id)
    elif kind == "product":
        found = await s.get(Product, target_id)
    elif kind == "host":
        host = await s.get(User, target_id)
        found = host if host is not None and "host" in host.roles else None
    if found is None:
        raise NotFound(f"no {kind} {target_id}")


async def do_create_boost(s: AsyncSession, operator: User, values: dict[str, Any]) -> Boost:
    """An operator boosts an item, optionally for a campaign (its window by default)."""
    check_operator(operator)
    await _check_target(s, values["kind"], values["target_id"])
    if values.get("campaign_id") is not None:
        campaign = await access_campaign(s, values["campaign_id"])
        values["starts_at"] = values.get("starts_at") or campaign.starts_at
        values["ends_at"] = values.get("ends_at") or campaign.ends_at
    if values.get("starts_at") is None or values.get("ends_at") is None:
        raise Invalid("a boost without a campaign needs starts_at and ends_at")
    if values["ends_at"] <= values["starts_at"]:
        raise Invalid("a boost ends after it starts")
    boost = Boost(created_by=operator.id, **values)
    s.add(boost)
    await s.flush()
    await do_audit(s, operator, "boost.create", "boost", boost.id, after=snapshot(boost))
    return boost


async def do_end_boost(s: AsyncSession, operator: User, boost_id: int) -> Boost:
    check_operator(operator)
    boost = await s.get(Boost, boost_id)
    if boost is None:
        raise NotFound(f"no boost {boost_id}")
    before = snapshot(boost)
    boost.active = False
    await s.flush()
    await do_audit(
        s, operator, "boost.end", "boost", boost.id, before=before, after=snapshot(boost)
    )
    return boost


async def _paced(s: AsyncSession, items: list[Item], now: datetime) -> list[Boost]:
    """Active boosts on ``items`` that pacing lets through at ``now``."""
    if not items:
        return []
    used = func.coalesce(BoostDay.impressions, 0)
    rows = await s.execute(
        select(Boost, used)
        .outerjoin(BoostDay, (BoostDay.boost_id == Boost.id) & (BoostDay.day == now.date()))
        .where(
            tuple_(Boost.kind, Boost.target_id).in_(list(set(items))),
            Boost.active.is_(True),
            Boost.starts_at <= now,
            Boost.ends_at > now,
        )
    )
    return [boost for boost, n in rows if n < allowance(boost.daily_budget, now)]


async def boost_multipliers(
    s: AsyncSession, items: list[Item], now: datetime, scores: dict[Item, float] | None = None
) -> dict[Item, float]:
    """Multipliers of the boosted ``items`` (active and within pacing; the strongest boost when
    several apply). With the feed's base ``scores``, each is lowered so that score times
    multiplier stays within the boost's cap."""
    out: dict[Item, float] = {}
    for boost in await _paced(s, items, now):
        key = (boost.kind, boost.target_id)
        m = boost.multiplier
        score = (scores or {}).get(key)
        if boost.score_cap is not None and score is not None and score > 0:
            m = max(1.0, min(m, boost.score_cap / score))
        out[key] = max(out.get(key, 1.0), m)
    return out


async def do_count_impressions(s: AsyncSession, shown: list[Item], now: datetime) -> None:
    """Count one boosted impression per showing of a boosted item, against every boost that
    applied to it (never past a boost's daily budget)."""
    times = Counter(shown)
    counts = [
        {
            "boost": b.id,
            "day": now.date(),
            "n": times[(b.kind, b.target_id)],
            "budget": b.daily_budget,
        }
        for b in await _paced(s, list(times), now)
    ]
    if counts:  # one executemany: a page view that flushes pays one round trip, not one per boost
        await s.execute(COUNT_DAY[dialect_name(s)], counts)


def _count_day(insert: Any) -> Any:
    days = cast(Table, BoostDay.__table__)
    return (
        insert(days)
        .values(boost_id=bindparam("boost"), day=bindparam("day"), impressions=bindparam("n"))
        .on_conflict_do_update(
            index_elements=[days.c.boost_id, days.c.day],
            set_={"impressions": days.c.impressions + bindparam("n")},
            where=days.c.impressions + bindparam("n") <= bindparam("budget"),
        )
    )


COUNT_DAY = upserts(_count_day)


@dataclass(frozen=True)
class BoostLine:
    boost: Boost
    today: int
    total: int


async def boost_lines(s: AsyncSession, campaign_id: int, today: date) -> list[BoostLine]:
    """A campaign's boosts with impressions today and in all."""
    total = func.coalesce(func.sum(BoostDay.impressions), 0)
    now = func.coalesce(func.sum(BoostDay.impressions).filter(BoostDay.day == today), 0)
    rows = await s.execute(
        select(Boost, now, total)
        .outerjoin(BoostDay, BoostDay.boost_id == Boost.id)
        .where(Boost.campaign_id == campaign_id)
        .group_by(Boost.id)
        .order_by(Boost.id)
    )
    return [BoostLine(b, int(t), int(n)) for b, t, n in rows]


async def boosts_of(s: AsyncSession, campaign_id: int, at: datetime) -> set[Item]:
    """Items the campaign boosted at ``at`` (for attributing GMV to boosts)."""
    rows = await s.execute(
        select(Boost.kind, Boost.target_id).where(
            Boost.campaign_id == campaign_id, Boost.starts_at <= at, Boost.ends_at > at
        )
    )
    return {(k, t) for k, t in rows}
