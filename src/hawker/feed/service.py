"""Composing the front page for one shopper: the layout's sections that target them and are
on schedule, each filled from its source, ranked by the scorer with the boost provider's
multipliers, and left out when empty.

Experiments (issue 7, part 7): ``home.live_position`` (shopper or device unit) moves the
live-now section to the ``top`` or ``middle`` of the page or hides it (the published layout is
the control); ``boost.multiplier`` (host unit) multiplies the campaign boost of that host's
items. Exposures are logged when the page shows the difference: the live section is on the
page, a boosted item of the host is shown.

Seams: ``rt.services["feed.boosts"]`` is the ``BoostProvider`` (default: the campaigns'
traffic boosts, ``feed/boosts.py``), ``rt.services["feed.scorer"]`` the ``Scorer`` (default:
``SimpleScorer``); more content sources register with ``sources.register``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import NotFound
from hawker.creators.models import Follow, HostTier, HostTierAssignment
from hawker.experiments.registry import Registry, registry_of
from hawker.experiments.surfaces import expose, unit_for
from hawker.feed import layouts
from hawker.feed.boosts import CampaignBoosts
from hawker.feed.cache import impressions, section_cache
from hawker.feed.present import Item, present
from hawker.feed.schemas import SectionIn
from hawker.feed.scoring import (
    BoostProvider,
    Boosts,
    Candidate,
    Scorer,
    SimpleScorer,
    rank,
)
from hawker.feed.sources import SourceContext, Viewer, check_source
from hawker.feed.stats import section_key
from hawker.infra.runtime import Runtime
from hawker.live.hub import hub_of

log = logging.getLogger(__name__)
LIVE_POSITION = "home.live_position"
BOOST_MULTIPLIER = "boost.multiplier"
LIVE_SOURCE = "live"


@dataclass
class SectionView:
    id: int | None
    title: str
    source: str
    style: str
    items: list[Item]
    html: str | None = None  # the page's rendering, kept by the web layer while this is cached
    boosted_hosts: tuple[int, ...] = ()  # hosts of the promoted items shown (their exposures)


def boosts_of(rt: Runtime) -> BoostProvider:
    return cast(BoostProvider, rt.services.setdefault("feed.boosts", CampaignBoosts(rt)))


def scorer_of(rt: Runtime) -> Scorer:
    return cast(Scorer, rt.services.setdefault("feed.scorer", SimpleScorer()))


def locale_of(accept_language: str) -> tuple[str, str]:
    """(language, country) of the shopper's first Accept-Language tag: ``pt-BR,pt;q=0.9`` is
    ("pt", "BR"); no region subtag, no country."""
    first = accept_language.split(",")[0].split(";")[0].strip()
    parts = first.replace("_", "-").split("-")
    language = parts[0].lower() if parts[0].isalpha() and len(parts[0]) <= 3 else ""
    country = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    return language, country


async def viewer_of(rt: Runtime, user: User | None, accept_language: str, now: datetime) -> Viewer:
    """A signed-out visitor counts as a new shopper; a signed-in one while their account is
    younger than ``HAWKER_FEED_NEW_SHOPPER_DAYS``. Follows are cached like sections: a new
    follow reaches the home page within ``HAWKER_FEED_CACHE_SECONDS``."""
    language, country = locale_of(accept_language)
    followed: frozenset[int] = frozenset()
    if user is not None:

        async def follows() -> frozenset[int]:
            async with rt.db.read() as s:
                stmt = select(Follow.host_id).where(Follow.follower_id == user.id)
                return frozenset(await s.scalars(stmt))

        ttl = rt.settings.feed_cache_seconds
        followed = await section_cache(rt).get(f"follows:{user.id}", ttl, follows)
    new_days = rt.settings.feed_new_shopper_days
    is_new = user is None or user.created_at >= now - timedelta(days=new_days)
    return Viewer(user, is_new, country, language, followed)


def visible(spec: SectionIn, viewer: Viewer, now: datetime) -> bool:
    """On schedule and targeting this shopper (every rule given must hold)."""
    if spec.starts_at is not None and now < spec.starts_at:
        return False
    if spec.ends_at is not None and now >= spec.ends_at:
        return False
    t = spec.target
    if t.audience == "new" and not viewer.is_new:
        return False
    if t.countries and viewer.country not in t.countries:
        return False
    if t.languages and viewer.language not in t.languages:
        return False
    return t.followers_of is None or t.followers_of in viewer.followed


async def compose(
    rt: Runtime, viewer: Viewer, sections: list[SectionIn], now: datetime
) -> list[SectionView]:
    """Sections the shopper may see, filled; each comes from the cache for
    ``HAWKER_FEED_CACHE_SECONDS``, shared by every shopper it looks the same to (all of them,
    or those the personal source gives the same key, e.g. who follow the same hosts)."""
    cache, ttl = section_cache(rt), rt.settings.feed_cache_seconds
    out = []
    for spec in sections:
        if not visible(spec, viewer, now):
            continue
        source = check_source(spec.source)
        key = spec.model_dump_json()
        if source.personal is not None:
            key += repr(source.personal(viewer))
        view = await cache.get(key, ttl, partial(_fill, rt, viewer, spec, now))
        if view is not None:
            out.append(view)
    return out


async def _fill(rt: Runtime, viewer: Viewer, spec: SectionIn, now: datetime) -> SectionView | None:
    """One section ranked and presented in a read unit of its own (a page whose sections are
    all cached opens none); None when it has nothing to show. Nothing of the shopper beyond
    what the source keys on shows in it: the section may be shared."""
    async with rt.db.read() as s:
        return await _ranked(rt, SourceContext(s, viewer, now, hub_of(rt).viewers), spec)


async def _ranked(rt: Runtime, ctx: SourceContext, spec: SectionIn) -> SectionView | None:
    source = check_source(spec.source)
    candidates = await source.candidates(ctx, spec)
    if not candidates:
        return None
    scorer = scorer_of(rt)
    base = {c.key: scorer.score(c, ctx.now, 1.0) for c in candidates}
    boosts = with_tiers(
        with_host_variants(
            registry_of(rt), await boosts_of(rt).boosts(ctx.s, list(base), base), candidates
        ),
        candidates,
        await tier_boosts(ctx.s, {c.host_id for c in candidates} - {None}),
    )
    if source.ranked:
        ranked = rank(scorer, candidates, boosts, ctx.now, spec.limit)
    else:
        ranked = [(c, 0.0) for c in candidates[: spec.limit]]
    items = await present(ctx.s, spec.id, ranked, boosts.promoted)
    hosts = {c.host_id for c, _ in ranked if c.key in boosts.promoted and c.host_id is not None}
    return SectionView(
        spec.id, spec.title, spec.source, source.style, items, boosted_hosts=tuple(sorted(hosts))
    )


def with_host_variants(registry: Registry, boosts: Boosts, candidates: list[Candidate]) -> Boosts:
    """``boost.multiplier`` randomizes hosts: a campaign boost on a host's item is multiplied by
    the host's variant value (never below no boost at all); items without a host keep theirs."""
    if BOOST_MULTIPLIER not in registry.entries or not boosts.promoted:
        return boosts
    multipliers = dict(boosts.multipliers)
    for c in candidates:
        if c.key not in boosts.promoted or c.host_id is None:
            continue
        factor = registry.variant(BOOST_MULTIPLIER, str(c.host_id)).value
        if isinstance(factor, int | float) and not isinstance(factor, bool):
            multipliers[c.key] = max(1.0, multipliers[c.key] * float(factor))
    return Boosts(multipliers, boosts.promoted)


def place_live(page: list[SectionView], position: object) -> list[SectionView]:
    """The live-now section(s) moved to the ``top`` or ``middle`` of the page or ``hidden``;
    any other value (the control) keeps the published layout's order."""
    live = [v for v in page if v.source == LIVE_SOURCE]
    if not live or position not in ("top", "middle", "hidden"):
        return page
    rest = [v for v in page if v.source != LIVE_SOURCE]
    if position == "hidden":
        return rest
    at = 0 if position == "top" else len(rest) // 2
    return rest[:at] + live + rest[at:]


async def experiment_page(
    rt: Runtime, page: list[SectionView], user_id: int | None, device: str | None
) -> list[SectionView]:
    """The page as the shopper's variants say, with the exposures it makes: the live position
    when a live section is there to move, each boosted host whose item is shown."""
    registry = registry_of(rt)
    if not registry.entries:
        return page
    unit = unit_for(registry, LIVE_POSITION, user_id, device)
    if unit is not None and any(v.source == LIVE_SOURCE for v in page):
        found = registry.variant(LIVE_POSITION, unit)
        page = place_live(page, found.value)
        await expose(rt, found, unit, user_id=user_id)
    if BOOST_MULTIPLIER in registry.entries:
        for host in {h for v in page for h in v.boosted_hosts}:
            await expose(rt, registry.variant(BOOST_MULTIPLIER, str(host)), str(host))
    return page


async def tier_boosts(s: AsyncSession, host_ids: set[int | None]) -> dict[int, float]:
    """Hosts whose tier gives a feed boost -> its multiplier (``boost_pct`` 25: 1.25)."""
    if not host_ids:
        return {}
    rows = await s.execute(
        select(HostTierAssignment.host_id, HostTier.boost_pct)
        .join(HostTier, HostTier.id == HostTierAssignment.tier_id)
        .where(HostTierAssignment.host_id.in_(host_ids), HostTier.active.is_(True))
    )
    return {host: 1 + pct / 100 for host, pct in rows if pct}


def with_tiers(boosts: Boosts, candidates: list[Candidate], tiers: dict[int, float]) -> Boosts:
    """The provider's multipliers times the host's tier boost (not labelled "Promoted": a tier
    is earned, not bought)."""
    if not tiers:
        return boosts
    multipliers = dict(boosts.multipliers)
    for c in candidates:
        if c.host_id in tiers:
            multipliers[c.key] = multipliers.get(c.key, 1.0) * tiers[c.host_id]
    return Boosts(multipliers, boosts.promoted)


async def notify_shown(rt: Runtime, sections: list[SectionView]) -> None:
    """Tell the boost provider what was shown (it spends impression budgets)."""
    items = [(i.kind, i.id) for section in sections for i in section.items]
    if items:
        await boosts_of(rt).shown(items)


async def front_page(
    rt: Runtime,
    user: User | None,
    accept_language: str,
    *,
    sections: list[SectionIn] | None = None,
    record: bool = True,
    device: str | None = None,
) -> list[SectionView]:
    """The page for one shopper (``device``: the visitor's device cookie): the published
    layout (or ``sections``: a draft or an older version, for previews). ``record`` applies
    the shopper's experiment variants, counts impressions and tells the boost provider; a
    preview shows the layout as it is and counts nothing."""
    now = utcnow()
    if sections is None:
        sections = await published_sections(rt)
    viewer = await viewer_of(rt, user, accept_language, now)
    page = await compose(rt, viewer, sections, now)
    if record:
        page = await experiment_page(rt, page, user.id if user else None, device)
        buffer = impressions(rt)
        buffer.add(
            user.id if user else None,
            [(v.id, section_key(v.source)) for v in page if v.id is not None],
            now.date(),
        )
        if buffer.due():
            try:
                await buffer.flush(rt)
            except Exception:  # the page is fine; the counts stay for the next flush
                log.warning("front-page impressions not written yet", exc_info=True)
        await notify_shown(rt, page)
    return page


async def published_sections(rt: Runtime) -> list[SectionIn]:
    async def load() -> list[SectionIn]:
        async with rt.db.read() as s:
            return layouts.sections_of(await layouts.published(s))

    sections: list[SectionIn] = await section_cache(rt).get(
        "layout", rt.settings.feed_cache_seconds, load
    )
    return sections


async def published_key(rt: Runtime, section_id: int) -> str | None:
    """The event-log key of a section of the published layout (None: not in it any more)."""
    sections = await published_sections(rt)
    return next((section_key(x.source) for x in sections if x.id == section_id), None)


async def preview_page(
    rt: Runtime, operator: User, as_user: int | None, version: int | None, accept_language: str
) -> list[SectionView]:
    """The draft (or a published ``version``) as the shopper ``as_user`` would see it (a
    signed-out visitor when none); counts no impressions."""
    layouts.check_operator(operator)
    async with rt.db.read() as s:
        shopper = await s.get(User, as_user) if as_user is not None else None
        if as_user is not None and shopper is None:
            raise NotFound(f"no user {as_user}")
        if version is None:
            row = await layouts.draft(s) or await layouts.published(s)
        else:
            row = await layouts.access_version(s, version)
        sections = layouts.sections_of(row)
    return await front_page(rt, shopper, accept_language, sections=sections, record=False)
