"""Host profiles: the bio and catalogue categories a host shows on their public page, beside
followers, tier and shows. Name and avatar stay the user's own (``PATCH /api/me``), so the
room, the feed and the page always agree. The bio is plain text: templates escape it, and
JSON clients must too."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.accounts.service import check_role
from hawker.catalog.models import Category
from hawker.catalog.schemas import CategoryOut
from hawker.core.clock import utcnow
from hawker.creators import service, tiers
from hawker.creators.errors import UnknownCategory
from hawker.creators.models import HostCategory, HostProfile
from hawker.creators.schemas import HostDetailOut, HostShowOut
from hawker.live import service as live
from hawker.live.models import Show

UPCOMING = 6


def check_bio(text: str) -> str:
    """As typed, minus surrounding blanks and carriage returns (a textarea sends CRLF)."""
    return text.replace("\r\n", "\n").strip()


async def check_categories(s: AsyncSession, category_ids: list[int]) -> list[int]:
    """The ids in the host's order, once each; every one must be a catalogue category."""
    ids = list(dict.fromkeys(category_ids))
    found = set(await s.scalars(select(Category.id).where(Category.id.in_(ids))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise UnknownCategory(f"no category {missing[0]}", category_ids=missing)
    return ids


async def do_save_profile(
    s: AsyncSession, host: User, bio: str, category_ids: list[int]
) -> HostProfile:
    """Replace the host's bio and categories."""
    check_role(host, "host")
    ids = await check_categories(s, category_ids)
    profile = await s.get(HostProfile, host.id)
    if profile is None:
        profile = HostProfile(host_id=host.id)
        s.add(profile)
    profile.bio = check_bio(bio)
    profile.updated_at = utcnow()
    await s.execute(delete(HostCategory).where(HostCategory.host_id == host.id))
    s.add_all(HostCategory(host_id=host.id, category_id=c, position=i) for i, c in enumerate(ids))
    await s.flush()
    return profile


async def categories_of(s: AsyncSession, host_id: int) -> list[Category]:
    return list(
        await s.scalars(
            select(Category)
            .join(HostCategory, HostCategory.category_id == Category.id)
            .where(HostCategory.host_id == host_id)
            .order_by(HostCategory.position)
        )
    )


def _show(show: Show) -> HostShowOut:
    return HostShowOut(
        id=show.id,
        title=show.title,
        cover_url=show.cover_url,
        status=show.status,
        scheduled_start=show.scheduled_start,
    )


async def host_detail(s: AsyncSession, host: User, viewer: User | None) -> HostDetailOut:
    summary = await service.host_profile(s, host, viewer)
    profile = await s.get(HostProfile, host.id)
    tier = await tiers.tier_of(s, host.id)
    on_air = await live.list_shows(s, status="live", host_id=host.id, limit=1)
    upcoming = await live.list_shows(s, status="scheduled", host_id=host.id, limit=UPCOMING)
    return HostDetailOut(
        **summary.model_dump(),
        bio=profile.bio if profile else "",
        categories=[
            CategoryOut(id=c.id, slug=c.slug, name=c.name) for c in await categories_of(s, host.id)
        ],
        tier=tier.name if tier else None,
        live=_show(on_air[0]) if on_air else None,
        upcoming=[_show(x) for x in upcoming],
    )
