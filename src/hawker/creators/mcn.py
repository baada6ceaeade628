"""MCN rosters: an agency invites a host at a revenue share, the host accepts or declines, and
a host belongs to at most one MCN at a time. The agency sees its roster's figures.

A share applies to orders first settled while the host is on the roster (commissions freeze
it per order), so leaving an MCN never rewrites what it already earned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import Conflict, Forbidden, NotFound
from hawker.creators import tiers
from hawker.creators.models import (
    CommissionAccrual,
    Follow,
    HostTier,
    HostTierAssignment,
    McnInvite,
    McnMembership,
    Sale,
)
from hawker.live.models import Show

Answer = Literal["accept", "decline"]


def check_mcn(user: User) -> None:
    if "mcn" not in user.roles:
        raise Forbidden("only an MCN account manages a roster")


async def access_host_by_email(s: AsyncSession, email: str) -> User:
    host = await s.scalar(select(User).where(User.email == email.strip().lower()))
    if host is None or "host" not in host.roles:
        raise NotFound(f"no host account has the e-mail {email}")
    return host


async def do_invite(s: AsyncSession, mcn: User, host: User, share_bps: int) -> McnInvite:
    check_mcn(mcn)
    member = await s.get(McnMembership, host.id)
    if member is not None and member.mcn_id == mcn.id:
        raise Conflict(f"{host.display_name} is already on your roster")
    pending = await s.scalar(
        select(McnInvite.id).where(
            McnInvite.mcn_id == mcn.id, McnInvite.host_id == host.id, McnInvite.status == "pending"
        )
    )
    if pending is not None:
        raise Conflict(f"{host.display_name} has not answered your last invitation yet")
    invite = McnInvite(mcn_id=mcn.id, host_id=host.id, share_bps=share_bps, created_at=utcnow())
    s.add(invite)
    await s.flush()
    return invite


async def access_invite_as_host(s: AsyncSession, host: User, invite_id: int) -> McnInvite:
    invite = await s.get(McnInvite, invite_id, with_for_update=True)
    if invite is None or invite.host_id != host.id:
        raise NotFound(f"you have no invitation {invite_id}")
    if invite.status != "pending":
        raise Conflict(f"invitation {invite_id} was already {invite.status}")
    return invite


async def do_answer(s: AsyncSession, host: User, invite_id: int, accept: bool) -> McnInvite:
    invite = await access_invite_as_host(s, host, invite_id)
    if accept:
        member = await s.get(McnMembership, host.id, with_for_update=True)
        if member is not None:
            agency = await s.get(User, member.mcn_id)
            name = agency.display_name if agency else "your MCN"
            raise Conflict(f"you are on {name}'s roster; leave it before joining another")
        s.add(McnMembership(host_id=host.id, mcn_id=invite.mcn_id, share_bps=invite.share_bps))
    invite.status = "accepted" if accept else "declined"
    invite.decided_at = utcnow()
    await s.flush()  # a concurrent second accept fails here on the one-roster primary key
    return invite


async def do_leave(s: AsyncSession, user: User, host_id: int) -> None:
    """The host leaves, or the MCN lets them go."""
    member = await s.get(McnMembership, host_id, with_for_update=True)
    if member is None or user.id not in (host_id, member.mcn_id):
        raise NotFound("no such roster membership")
    await s.delete(member)


async def invites_for_host(s: AsyncSession, host: User) -> list[tuple[McnInvite, str]]:
    rows = await s.execute(
        select(McnInvite, User.display_name)
        .join(User, User.id == McnInvite.mcn_id)
        .where(McnInvite.host_id == host.id, McnInvite.status == "pending")
        .order_by(McnInvite.id.desc())
    )
    return [(invite, name) for invite, name in rows]


async def invites_sent(s: AsyncSession, mcn: User) -> list[tuple[McnInvite, str]]:
    check_mcn(mcn)
    rows = await s.execute(
        select(McnInvite, User.display_name)
        .join(User, User.id == McnInvite.host_id)
        .where(McnInvite.mcn_id == mcn.id)
        .order_by(McnInvite.id.desc())
        .limit(100)
    )
    return [(invite, name) for invite, name in rows]


@dataclass(frozen=True)
class RosterLine:
    host_id: int
    name: str
    avatar_url: str
    share_bps: int
    since: str
    tier: str | None
    followers: int
    shows: int
    live_now: bool
    gmv_30d: dict[str, int]
    mcn_earned: dict[str, int]  # the MCN's share of the host's commissions, all time


async def roster(s: AsyncSession, mcn: User) -> list[RosterLine]:
    """One grouped query per figure for the whole roster, however many hosts it holds."""
    check_mcn(mcn)
    members = list(
        await s.execute(
            select(McnMembership, User)
            .join(User, User.id == McnMembership.host_id)
            .where(McnMembership.mcn_id == mcn.id)
            .order_by(User.display_name)
        )
    )
    ids = [host.id for _, host in members]
    since = utcnow() - tiers.WINDOW
    gmv = await _per_host_currency(
        s,
        select(Sale.host_id, Sale.currency, func.sum(Sale.net))
        .where(Sale.host_id.in_(ids), Sale.paid_at >= since)
        .group_by(Sale.host_id, Sale.currency),
    )
    earned = await _per_host_currency(
        s,
        select(CommissionAccrual.host_id, CommissionAccrual.currency,
               func.sum(CommissionAccrual.mcn_share))
        .where(CommissionAccrual.host_id.in_(ids), CommissionAccrual.mcn_id == mcn.id)
        .group_by(CommissionAccrual.host_id, CommissionAccrual.currency),
    )  # fmt: skip
    shows = {
        host_id: (count, live)
        for host_id, count, live in await s.execute(
            select(Show.host_id, func.count(), func.count().filter(Show.status == "live"))
            .where(Show.host_id.in_(ids))
            .group_by(Show.host_id)
        )
    }
    followers: dict[int, int] = {
        host_id: count
        for host_id, count in await s.execute(
            select(Follow.host_id, func.count())
            .where(Follow.host_id.in_(ids))
            .group_by(Follow.host_id)
        )
    }
    tier_names: dict[int, str] = {
        host_id: name
        for host_id, name in await s.execute(
            select(HostTierAssignment.host_id, HostTier.name)
            .join(HostTier, HostTier.id == HostTierAssignment.tier_id)
            .where(HostTierAssignment.host_id.in_(ids), HostTier.active.is_(True))
        )
    }
    return [
        RosterLine(
            host_id=host.id,
            name=host.display_name,
            avatar_url=host.avatar_url,
            share_bps=member.share_bps,
            since=member.since.isoformat(),
            tier=tier_names.get(host.id),
            followers=int(followers.get(host.id, 0)),
            shows=shows.get(host.id, (0, 0))[0],
            live_now=shows.get(host.id, (0, 0))[1] > 0,
            gmv_30d=gmv.get(host.id, {}),
            mcn_earned=earned.get(host.id, {}),
        )
        for member, host in members
    ]


async def _per_host_currency(s: AsyncSession, stmt: Any) -> dict[int, dict[str, int]]:
    """Rows of (host id, currency, amount) as {host: {currency: amount}}."""
    out: dict[int, dict[str, int]] = {}
    for host_id, currency, amount in await s.execute(stmt):
        out.setdefault(host_id, {})[currency] = int(amount)
    return out
