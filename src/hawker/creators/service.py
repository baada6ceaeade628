"""Follows: a shopper follows a host. Following twice or unfollowing a host one does not
follow changes nothing (a retried tap must not fail)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.db import upsert_insert
from hawker.creators.errors import NotAHost, SelfFollow
from hawker.creators.models import Follow
from hawker.creators.schemas import HostProfileOut


async def access_host(s: AsyncSession, host_id: int) -> User:
    host = await s.get(User, host_id)
    if host is None or "host" not in host.roles:
        raise NotAHost(f"user {host_id} is not a host")
    return host


async def do_follow(s: AsyncSession, follower: User, host_id: int) -> User:
    host = await access_host(s, host_id)
    if host.id == follower.id:
        raise SelfFollow("hosts cannot follow themselves")
    stmt = upsert_insert(s)(Follow).values(follower_id=follower.id, host_id=host.id)
    await s.execute(stmt.on_conflict_do_nothing())
    return host


async def do_unfollow(s: AsyncSession, follower: User, host_id: int) -> User:
    host = await access_host(s, host_id)
    await s.execute(
        delete(Follow).where(Follow.follower_id == follower.id, Follow.host_id == host.id)
    )
    return host


async def follower_counts(s: AsyncSession, host_ids: Iterable[int]) -> dict[int, int]:
    ids = set(host_ids)
    rows = await s.execute(
        select(Follow.host_id, func.count()).where(Follow.host_id.in_(ids)).group_by(Follow.host_id)
    )
    return {i: 0 for i in ids} | {host: n for host, n in rows}


async def followed_hosts(
    s: AsyncSession, follower: User | None, host_ids: Iterable[int]
) -> set[int]:
    """Which of ``host_ids`` the follower follows (none for a visitor)."""
    if follower is None:
        return set()
    rows = await s.scalars(
        select(Follow.host_id).where(
            Follow.follower_id == follower.id, Follow.host_id.in_(set(host_ids))
        )
    )
    return set(rows)


async def host_profile(s: AsyncSession, host: User, viewer: User | None) -> HostProfileOut:
    counts = await follower_counts(s, [host.id])
    return HostProfileOut(
        id=host.id,
        name=host.display_name,
        avatar_url=host.avatar_url,
        followers=counts[host.id],
        following=host.id in await followed_hosts(s, viewer, [host.id]),
    )
