"""Front-page layouts: operators edit one shared draft, publish it as a new version, and roll
back to any earlier version (which publishes a copy, so history only grows). Publishing and
rolling back change what shoppers see: both are audited with the layout before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit
from hawker.accounts.models import User
from hawker.core.errors import Conflict, Forbidden
from hawker.feed.errors import NoSuchSection, NoSuchVersion
from hawker.feed.models import FrontPageLayout, FrontPageSection
from hawker.feed.schemas import SectionIn
from hawker.feed.sources import check_source

DRAFT = 0

# Until an operator publishes, shoppers see this (no section ids: nothing is measured).
DEFAULT_SECTIONS = [
    SectionIn(title="Live now", source="live"),
    SectionIn(title="Coming up", source="upcoming"),
    SectionIn(title="Short videos", source="videos"),
    SectionIn(title="Replays", source="replays"),
    SectionIn(title="Shop the shows", source="products", limit=20),
]


def check_operator(user: User) -> None:
    if not user.has_role("operator"):
        raise Forbidden("only operators edit the front page")


def sections_of(layout: FrontPageLayout | None) -> list[SectionIn]:
    if layout is None:
        return list(DEFAULT_SECTIONS)
    return [SectionIn.model_validate(x) for x in layout.sections]


async def published(s: AsyncSession) -> FrontPageLayout | None:
    """The layout shoppers see: the highest published version (none before the first)."""
    return await s.scalar(
        select(FrontPageLayout)
        .where(FrontPageLayout.version > DRAFT)
        .order_by(FrontPageLayout.version.desc())
        .limit(1)
    )


async def draft(s: AsyncSession) -> FrontPageLayout | None:
    return await s.scalar(select(FrontPageLayout).where(FrontPageLayout.version == DRAFT))


async def versions(s: AsyncSession, limit: int = 50) -> list[FrontPageLayout]:
    return list(
        await s.scalars(
            select(FrontPageLayout)
            .where(FrontPageLayout.version > DRAFT)
            .order_by(FrontPageLayout.version.desc())
            .limit(limit)
        )
    )


async def access_version(s: AsyncSession, version: int) -> FrontPageLayout:
    layout = await s.scalar(select(FrontPageLayout).where(FrontPageLayout.version == version))
    if layout is None or version == DRAFT:
        raise NoSuchVersion(f"no published layout version {version}")
    return layout


async def check_sections(s: AsyncSession, sections: list[SectionIn]) -> list[dict[str, Any]]:
    """Sources exist, ids are known and used once; new sections get their stable id here."""
    seen: set[int] = set()
    ids = [x.id for x in sections if x.id is not None]
    known = {
        row.id: row
        for row in await s.scalars(select(FrontPageSection).where(FrontPageSection.id.in_(ids)))
    }
    out = []
    for spec in sections:
        check_source(spec.source)
        if spec.id is not None and (spec.id not in known or spec.id in seen):
            raise NoSuchSection(f"section {spec.id} is unknown or listed twice")
        if spec.id is None:
            row = FrontPageSection(title=spec.title)
            s.add(row)
            await s.flush()
            spec = spec.model_copy(update={"id": row.id})
        else:
            known[spec.id].title = spec.title
        assert spec.id is not None
        seen.add(spec.id)
        out.append(spec.model_dump(mode="json"))
    return out


async def do_save_draft(
    s: AsyncSession, operator: User, sections: list[SectionIn]
) -> FrontPageLayout:
    """Replace the draft (shoppers see nothing of it until it is published)."""
    check_operator(operator)
    values = await check_sections(s, sections)
    row = await draft(s)
    if row is None:
        row = FrontPageLayout(version=DRAFT, sections=values, author_id=operator.id)
        s.add(row)
    else:
        row.sections, row.author_id = values, operator.id
    await _flush_first(s, "another operator saved the first draft at the same moment")
    return row


async def _flush_first(s: AsyncSession, detail: str) -> None:
    """Two operators racing for the same version number (PostgreSQL): one wins, the other is
    told to retry rather than answered with a 500."""
    try:
        async with s.begin_nested():
            await s.flush()
    except IntegrityError as e:
        raise Conflict(f"{detail}; try again") from e


async def _publish(
    s: AsyncSession, operator: User, sections: list[dict[str, Any]], note: str, action: str
) -> FrontPageLayout:
    current = await published(s)
    number = (await s.scalar(select(func.max(FrontPageLayout.version)))) or DRAFT
    row = FrontPageLayout(version=number + 1, sections=sections, note=note, author_id=operator.id)
    s.add(row)
    await s.flush()
    await do_audit(
        s,
        operator,
        action,
        "front_page",
        row.version,
        before=_audited(current),
        after=_audited(row),
    )
    return row


def _audited(layout: FrontPageLayout | None) -> dict[str, Any] | None:
    if layout is None:
        return None
    return {"version": layout.version, "note": layout.note, "sections": layout.sections}


async def do_publish(s: AsyncSession, operator: User, note: str = "") -> FrontPageLayout:
    """The draft becomes the next version, seen by shoppers from the next page load."""
    check_operator(operator)
    row = await draft(s)
    if row is None:
        raise NoSuchVersion("there is no draft to publish; save one first")
    sections = await check_sections(s, [SectionIn.model_validate(x) for x in row.sections])
    return await _publish(s, operator, sections, note, "front_page.publish")


async def do_rollback(s: AsyncSession, operator: User, version: int) -> FrontPageLayout:
    """Publish a copy of an earlier version; the draft starts again from it."""
    check_operator(operator)
    earlier = await access_version(s, version)
    row = await _publish(
        s, operator, list(earlier.sections), f"rollback to version {version}", "front_page.rollback"
    )
    current_draft = await draft(s)
    if current_draft is not None:
        current_draft.sections = list(earlier.sections)
    return row
