"""Host tiers: operators define levels by trailing 30-day net GMV, followers and optionally a
training certificate; a job puts
every host in the highest tier whose rules they meet, keeping each move in a history with
the figures behind it. A host's tier sets the commission rate of orders first settled while
they hold it (the default rate otherwise) and a ranking boost the feed uses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit, snapshot
from hawker.accounts.models import User, UserRole
from hawker.core.clock import utcnow
from hawker.core.errors import Conflict, Forbidden, NotFound
from hawker.core.money import format_money
from hawker.creators import training
from hawker.creators.models import Follow, HostTier, HostTierAssignment, HostTierChange, Sale

WINDOW = timedelta(days=30)


def check_operator(user: User) -> None:
    if not user.has_role("operator"):
        raise Forbidden("only operators define host tiers")


async def list_tiers(s: AsyncSession, *, include_inactive: bool = False) -> list[HostTier]:
    query = select(HostTier).order_by(HostTier.rank)
    if not include_inactive:
        query = query.where(HostTier.active.is_(True))
    return list(await s.scalars(query))


async def access_tier(s: AsyncSession, tier_id: int) -> HostTier:
    tier = await s.get(HostTier, tier_id)
    if tier is None:
        raise NotFound(f"no tier {tier_id}")
    return tier


async def do_save_tier(
    s: AsyncSession, operator: User, values: dict[str, Any], tier_id: int | None = None
) -> HostTier:
    """Create a tier, or change one; names and ranks are unique."""
    check_operator(operator)
    before = None
    if tier_id is None:
        tier = HostTier(**values)
        s.add(tier)
    else:
        tier = await access_tier(s, tier_id)
        before = snapshot(tier)
        for key, value in values.items():
            setattr(tier, key, value)
    try:
        async with s.begin_nested():
            await s.flush()
    except IntegrityError as e:
        raise Conflict("another tier already has that name or rank") from e
    action = "tier.create" if before is None else "tier.change"
    await do_audit(s, operator, action, "tier", tier.id, before=before, after=snapshot(tier))
    return tier


@dataclass(frozen=True)
class Standing:
    """What a host has, as the rules see it."""

    gmv: dict[str, int]  # trailing 30-day net GMV per currency
    followers: int
    certificates: frozenset[int] = frozenset()  # training programmes completed


def qualifies(tier: HostTier, standing: Standing) -> bool:
    return (
        standing.gmv.get(tier.currency, 0) >= tier.min_gmv_30d
        and standing.followers >= tier.min_followers
        and (
            tier.required_programme_id is None
            or tier.required_programme_id in standing.certificates
        )
    )


def place(tiers: list[HostTier], standing: Standing) -> HostTier | None:
    """The highest-ranked tier whose every rule the host meets."""
    for tier in sorted(tiers, key=lambda t: -t.rank):
        if qualifies(tier, standing):
            return tier
    return None


def reason(tier: HostTier | None, standing: Standing, tiers: list[HostTier]) -> str:
    if tier is None:
        lowest = min(tiers, key=lambda t: t.rank, default=None)
        if lowest is None:
            return "no tiers are defined"
        return f"below {lowest.name}: " + _figures(lowest, standing)
    return f"meets {tier.name}: " + _figures(tier, standing)


def _figures(tier: HostTier, standing: Standing) -> str:
    gmv = standing.gmv.get(tier.currency, 0)
    figures = (
        f"30-day GMV {format_money(gmv, tier.currency)} "
        f"(needs {format_money(tier.min_gmv_30d, tier.currency)}), "
        f"{standing.followers} followers (needs {tier.min_followers})"
    )
    if tier.required_programme_id is not None:
        held = tier.required_programme_id in standing.certificates
        figures += f", training {tier.required_programme_id} {'done' if held else 'not done'}"
    return figures


async def standings(s: AsyncSession, now: datetime | None = None) -> dict[int, Standing]:
    """Every host's trailing figures, from the sales read model and follows."""
    since = (now or utcnow()) - WINDOW
    hosts = set(await s.scalars(select(UserRole.user_id).where(UserRole.role == "host")))
    gmv: dict[int, dict[str, int]] = defaultdict(dict)
    rows = await s.execute(
        select(Sale.host_id, Sale.currency, func.sum(Sale.net))
        .where(Sale.paid_at >= since, Sale.host_id.is_not(None))
        .group_by(Sale.host_id, Sale.currency)
    )
    for host_id, currency, total in rows:
        if host_id is not None:
            gmv[host_id][currency] = int(total)
    followers = dict(
        (await s.execute(select(Follow.host_id, func.count()).group_by(Follow.host_id))).all()
    )
    certified = await training.certificates(s)
    return {
        h: Standing(gmv.get(h, {}), int(followers.get(h, 0)), frozenset(certified.get(h, ())))
        for h in hosts
    }


@dataclass(frozen=True)
class Move:
    host_id: int
    from_tier: int | None
    to_tier: int | None
    reason: str


async def do_recompute(s: AsyncSession, now: datetime | None = None) -> list[Move]:
    """Place every host; record and return the moves."""
    tiers = await list_tiers(s)
    held = {a.host_id: a for a in await s.scalars(select(HostTierAssignment))}
    moves = []
    for host_id, standing in sorted((await standings(s, now)).items()):
        tier = place(tiers, standing)
        new = tier.id if tier else None
        current = held.get(host_id)
        if (current.tier_id if current else None) == new:
            continue
        why = reason(tier, standing, tiers)
        moves.append(Move(host_id, current.tier_id if current else None, new, why))
        if current is None:
            s.add(HostTierAssignment(host_id=host_id, tier_id=new, since=utcnow()))
        else:
            current.tier_id, current.since = new, utcnow()
        s.add(
            HostTierChange(
                host_id=host_id,
                from_tier_id=moves[-1].from_tier,
                to_tier_id=new,
                reason=why[:300],
                at=utcnow(),
            )
        )
    await s.flush()
    return moves


async def tier_of(s: AsyncSession, host_id: int) -> HostTier | None:
    held = await s.get(HostTierAssignment, host_id)
    if held is None or held.tier_id is None:
        return None
    tier = await s.get(HostTier, held.tier_id)
    return tier if tier is not None and tier.active else None


async def holders(s: AsyncSession) -> dict[int, int]:
    """How many hosts hold each tier now."""
    rows = await s.execute(
        select(HostTierAssignment.tier_id, func.count())
        .where(HostTierAssignment.tier_id.is_not(None))
        .group_by(HostTierAssignment.tier_id)
    )
    return {tier_id: int(n) for tier_id, n in rows if tier_id is not None}


async def history(s: AsyncSession, host_id: int, limit: int = 50) -> list[HostTierChange]:
    return list(
        await s.scalars(
            select(HostTierChange)
            .where(HostTierChange.host_id == host_id)
            .order_by(HostTierChange.id.desc())
            .limit(limit)
        )
    )
