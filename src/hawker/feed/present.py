"""Turning the winning candidates into what a page shows: one presenter per kind of item,
so a hand-picked section can mix shows, products and clips."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.catalog.service import product_out
from hawker.feed.scoring import Candidate, Key
from hawker.live.service import show_out
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


async def present(
    s: AsyncSession,
    viewer: User | None,
    section_id: int | None,
    ranked: list[tuple[Candidate, float]],
    promoted: frozenset[Key],
) -> list[Item]:
    videos = [c.row for c, _ in ranked if c.kind == "video"]
    clips = {c.id: c for c in await clips_out(s, videos, viewer)} if videos else {}
    items = []
    for c, score in ranked:
        if c.kind == "show":
            obj: Any = await show_out(s, c.row, int(c.engagement))
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
