"""Turning the winning candidates into what a page shows: one presenter per kind of item,
so a hand-picked section can mix shows, products and clips."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.catalog.models import Product
from hawker.catalog.service import product_out
from hawker.feed.scoring import Candidate, Key
from hawker.live.schemas import HostOut, ShowOut
from hawker.video.clips import clips_out


@dataclass
class Item:
    kind: str
    id: int
    title: str
    href: str  # through /go with the section id, so the click is counted
    image_url: str
    promoted: bool
    score: float
    obj: Any  # ShowOut, ProductOut, ClipOut or ReplayCard, for the templates


def target(kind: str, id: int, obj: Any) -> str:
    if kind == "show":
        return f"/shows/{id}"
    if kind == "product":
        return f"/products/{id}"
    if kind == "video":
        return f"/videos/{id}"
    return f"/shows/{obj.show_id}/replay"


def link(section_id: int | None, kind: str, id: int, obj: Any) -> str:
    """Items of a measured section link through ``/go?s=<section>``; the default layout's
    link straight to their page."""
    if section_id is None:
        return target(kind, id, obj)
    return "/go?" + urlencode({"s": section_id, "k": kind, "id": id})


async def shows_out(s: AsyncSession, cands: list[Candidate]) -> dict[int, ShowOut]:
    """Cards for many shows in two queries (hosts, pinned products), not two per show as
    ``live.show_out`` would: a card shows the host and the pinned product, not the line-up."""
    shows = [c.row for c in cands]
    host_ids = {show.host_id for show in shows}
    hosts = {u.id: u for u in await s.scalars(select(User).where(User.id.in_(host_ids)))}
    pinned_ids = {show.pinned_product_id for show in shows} - {None}
    pinned = {
        p.id: product_out(p)
        for p in (
            await s.scalars(select(Product).where(Product.id.in_(pinned_ids))) if pinned_ids else []
        )
    }
    out = {}
    for c in cands:
        show, host = c.row, hosts[c.row.host_id]
        out[c.id] = ShowOut(
            id=show.id,
            title=show.title,
            description=show.description,
            cover_url=show.cover_url,
            status=show.status,
            scheduled_start=show.scheduled_start,
            started_at=show.started_at,
            ended_at=show.ended_at,
            host=HostOut(id=host.id, name=host.display_name, avatar_url=host.avatar_url),
            lineup=[],
            pinned=pinned.get(show.pinned_product_id or 0),
            viewers=int(c.engagement),
        )
    return out


async def present(
    s: AsyncSession,
    section_id: int | None,
    ranked: list[tuple[Candidate, float]],
    promoted: frozenset[Key],
) -> list[Item]:
    videos = [c.row for c, _ in ranked if c.kind == "video"]
    clips = {c.id: c for c in await clips_out(s, videos, None)} if videos else {}
    shows = await shows_out(s, [c for c, _ in ranked if c.kind == "show"])
    items = []
    for c, score in ranked:
        if c.kind == "show":
            obj: Any = shows[c.id]
            title, image = obj.title, obj.cover_url
        elif c.kind == "product":
            obj = product_out(c.row)
            title, image = obj.title, obj.image_url
        elif c.kind == "video":
            obj = clips[c.id]
            title, image = obj.caption, obj.poster_url
        else:
            obj = c.row
            title, image = obj.title, obj.poster_url
        items.append(
            Item(
                c.kind,
                c.id,
                title,
                link(section_id, c.kind, c.id, obj),
                image,
                c.key in promoted,
                round(score, 4),
                obj,
            )
        )
    return items
