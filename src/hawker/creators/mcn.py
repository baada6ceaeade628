"""MCN rosters: an agency invites a host at a revenue share, the host accepts or declines, and
a host belongs to at most one MCN at a time. The agency sees its roster's figures.

A share applies to orders first settled while the host is on the roster (commissions freeze
it per order), so leaving an MCN never rewrites what it already earned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import Conflict, Forbidden, NotFound
from hawker.creators import tiers
from hawker.creators.models import CommissionAccrual, Follow, McnInvite, McnMembership, Sale
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
    check_mcn(mcn)
    members = list(
        await s.execute(
            select(McnMembership, User)
            .join(User, User.id == McnMembership.host_id)
            .where(McnMembership.mcn_id == mcn.id)
            .order_by(User.display_name)
        )
    )
    since = utcnow() - tiers.WINDOW
    lines = []
    for member, host in members:
        gmv = await s.execute(
            select(Sale.currency, func.sum(Sale.net))
            .where(Sale.host_id == host.id, Sale.paid_at >= since)
            .group_by(Sale.currency)
        )
        earned = await s.execute(
            select(CommissionAccrual.currency, func.sum(CommissionAccrual.mcn_share))
            .where(CommissionAccrual.host_id == host.id, CommissionAccrual.mcn_id == mcn.id)
            .group_by(CommissionAccrual.currency)
        )
        statuses = list(await s.scalars(select(Show.status).where(Show.host_id == host.id)))
        tier = await tiers.tier_of(s, host.id)
        followers = await s.scalar(select(func.count()).where(Follow.host_id == host.id))
        lines.append(
            RosterLine(
                host_id=host.id,
                name=host.display_name,
                avatar_url=host.avatar_url,
                share_bps=member.share_bps,
                since=member.since.isoformat(),
                tier=tier.name if tier else None,
                followers=int(followers or 0),
                shows=len(statuses),
                live_now="live" in statuses,
                gmv_30d={c: int(v) for c, v in gmv},
                mcn_earned={c: int(v) for c, v in earned},
            )
        )
    return lines
