"""Content sources: where a section's candidates come from. A small registry, so another
context adds one with ``register(Source(...))`` at start-up (campaign items, a featured event)
without the layout code changing; a layout names sources by ``name``.

A source returns candidates with the signals the scorer reads (``scoring.py``); only the few
that win are presented (``present.py``). Pools are bounded (``POOL``): with 10,000 live shows
a section ranks the latest scheduled ones, not all of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.campaigns.listing import running_scope
from hawker.campaigns.service import featured_live
from hawker.catalog.models import Product
from hawker.feed.errors import UnknownSource
from hawker.feed.schemas import SectionIn
from hawker.feed.scoring import Candidate
from hawker.live.models import Show
from hawker.video import replays
from hawker.video.models import ShortVideo

POOL = 60  # candidates a ranked section looks at


@dataclass(frozen=True)
class Viewer:
    """The shopper a page is composed for, as targeting sees them."""

    user: User | None
    is_new: bool
    country: str  # "" when unknown
    language: str  # "" when unknown
    followed: frozenset[int]  # hosts they follow


@dataclass(frozen=True)
class SourceContext:
    s: AsyncSession
    viewer: Viewer
    now: datetime
    viewers: Callable[[int], Awaitable[int]]  # a live show's viewers now


CandidatesFn = Callable[[SourceContext, SectionIn], Awaitable[list[Candidate]]]


@dataclass(frozen=True)
class Source:
    name: str
    label: str  # for the console
    style: str  # how _front_section.html lays it out: live, row, clips, products, hero
    candidates: CandidatesFn
    ranked: bool = True  # False: keep the order the source gives (a hand-picked list)
    # what of the shopper the section depends on (None: the same for everyone): shoppers
    # with the same answer share one cached section, so nothing else of them may show in it
    personal: Callable[[Viewer], Hashable] | None = None


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.name] = source


def check_source(name: str) -> Source:
    source = SOURCES.get(name)
    if source is None:
        raise UnknownSource(f"no content source {name!r}; one of {', '.join(sorted(SOURCES))}")
    return source


async def _shows(ctx: SourceContext, stmt: Select[Show]) -> list[Candidate]:
    """Live shows are fresh from their start and engage by viewers now; scheduled ones are
    fresh as their start nears."""
    out = []
    for show in await ctx.s.scalars(stmt):
        live = show.status == "live"
        at = (show.started_at or show.scheduled_start) if live else show.scheduled_start
        viewers = await ctx.viewers(show.id) if live else 0
        out.append(Candidate("show", show.id, at, viewers, host_id=show.host_id, row=show))
    return out


async def live_shows(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    stmt = (  # the newest by schedule: ix_shows_status_start, no sort of every live show
        select(Show)
        .where(Show.status == "live")
        .order_by(Show.scheduled_start.desc(), Show.id.desc())
        .limit(POOL)
    )
    return await _shows(ctx, stmt)


async def upcoming_shows(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    stmt = (
        select(Show)
        .where(Show.status == "scheduled", Show.scheduled_start >= ctx.now - timedelta(hours=1))
        .order_by(Show.scheduled_start)
        .limit(POOL)
    )
    return await _shows(ctx, stmt)


def followed(viewer: Viewer) -> Hashable:
    return tuple(sorted(viewer.followed))


async def followed_shows(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    """Live and upcoming shows of hosts the shopper follows (nothing when signed out). This
    one is composed on every page view, so its pool is twice what it shows, live first."""
    if not ctx.viewer.followed:
        return []
    stmt = (
        select(Show)
        .where(Show.host_id.in_(ctx.viewer.followed), Show.status.in_(("live", "scheduled")))
        .order_by(Show.status, Show.scheduled_start)
        .limit(2 * spec.limit)
    )
    return await _shows(ctx, stmt)


async def short_videos(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    stmt = (
        select(ShortVideo)
        .where(ShortVideo.status == "ready")
        .order_by(ShortVideo.id.desc())
        .limit(POOL)
    )
    return [
        Candidate("video", c.id, c.ready_at or c.created_at, c.likes, host_id=c.host_id, row=c)
        for c in await ctx.s.scalars(stmt)
    ]


async def recent_replays(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    cards = await replays.list_replays(ctx.s, limit=POOL, before=None)
    return [Candidate("replay", r.id, r.created_at, host_id=r.host.id, row=r) for r in cards]


async def products(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    stmt = select(Product).where(Product.active.is_(True)).order_by(Product.id.desc()).limit(POOL)
    return [
        Candidate("product", p.id, p.created_at, sum(k.sold for k in p.skus), row=p)
        for p in await ctx.s.scalars(stmt)
    ]


async def picked(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    """The operator's list, in their order; items gone (ended shows, inactive products,
    unready clips) drop out."""
    ids = {
        kind: [i.id for i in spec.items if i.kind == kind] for kind in ("show", "product", "video")
    }
    found: dict[tuple[str, int], Candidate] = {}
    if ids["show"]:
        shows = select(Show).where(Show.id.in_(ids["show"]), Show.status.in_(("live", "scheduled")))
        found.update((c.key, c) for c in await _shows(ctx, shows))
    if ids["product"]:
        products = select(Product).where(Product.id.in_(ids["product"]), Product.active.is_(True))
        for p in await ctx.s.scalars(products):
            found[("product", p.id)] = Candidate("product", p.id, p.created_at, row=p)
    if ids["video"]:
        clips = select(ShortVideo).where(
            ShortVideo.id.in_(ids["video"]), ShortVideo.status == "ready"
        )
        for v in await ctx.s.scalars(clips):
            found[("video", v.id)] = Candidate("video", v.id, v.created_at, row=v)
    return [found[(i.kind, i.id)] for i in spec.items if (i.kind, i.id) in found]


async def featured(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    """A running campaign's featured (gala, celebrity) shows while they are live: put this
    section first and the event is pinned to the top of the page exactly while it is on."""
    ids = [f.show_id for f in await featured_live(ctx.s, ctx.now)]
    return await _shows(ctx, select(Show).where(Show.id.in_(ids))) if ids else []


async def festival(ctx: SourceContext, spec: SectionIn) -> list[Candidate]:
    """What running campaigns approved: their live and upcoming shows, then their products."""
    scope = await running_scope(ctx.s, ctx.now)
    out: list[Candidate] = []
    if scope.show_ids:
        live_or_next = select(Show).where(
            Show.id.in_(scope.show_ids), Show.status.in_(("live", "scheduled"))
        )
        out += await _shows(ctx, live_or_next.order_by(Show.scheduled_start).limit(POOL))
    if scope.product_ids:
        stmt = select(Product).where(Product.id.in_(scope.product_ids), Product.active.is_(True))
        out += [
            Candidate("product", p.id, p.created_at, sum(k.sold for k in p.skus), row=p)
            for p in await ctx.s.scalars(stmt.limit(POOL))
        ]
    return out


for _source in (
    Source("live", "Live shows", "live", live_shows),
    Source("upcoming", "Upcoming shows", "row", upcoming_shows),
    Source("videos", "Short videos", "clips", short_videos),
    Source("replays", "Replays", "row", recent_replays),
    Source("products", "Products", "products", products),
    Source("followed", "Followed hosts' shows", "row", followed_shows, personal=followed),
    Source("picked", "Hand-picked items", "row", picked, ranked=False),
    Source("featured", "Featured event (while live)", "hero", featured),
    Source("festival", "Running campaigns' shows and products", "row", festival),
):
    register(_source)
