"""The GMV big screen: one snapshot of the platform's (or a campaign's) sales every second.

Coalesced on the server: however many orders arrive and however many screens are open, a node
computes one snapshot per scope and currency a second (the first screen to ask after it went
stale computes it, the others share it) and each screen's stream sends it on; the page animates
from one to the next. Before computing, the node applies pending ``order.money`` events to the
sales read model, so the screen trails payments by about a second rather than a ledger sweep.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core import outbox
from hawker.core.clock import utcnow
from hawker.creators import gmv, leaderboards, listeners
from hawker.creators.errors import NoSuchCampaign
from hawker.creators.gmv import Scope
from hawker.infra.runtime import Runtime
from hawker.live.hub import hub_of
from hawker.live.models import Show

TICK_SECONDS = 1.0
WINDOW_SECONDS = 10  # orders per second: paid orders over this sliding window
TOP = 5
ROOMS = 8
FORGET_SECONDS = 60.0  # frames no screen asked for in this long are dropped
LIVE_SHOWS_READ = 200  # live shows whose viewers are looked up per snapshot

# campaign id -> its scope; the campaigns context registers one (see ``set_campaign_scope``)
ScopeHook = Callable[[AsyncSession, int], Awaitable[Scope]]


def set_campaign_scope(rt: Runtime, hook: ScopeHook) -> None:
    """Wire ``?campaign=ID``: the hook finds the campaign (raising NotFound) and returns the
    shows, hosts and merchants taking part and its start."""
    rt.services["big_screen.scope"] = hook


async def access_scope(rt: Runtime, s: AsyncSession, campaign_id: int | None) -> Scope | None:
    if campaign_id is None:
        return None
    hook: ScopeHook | None = rt.services.get("big_screen.scope")
    if hook is None:  # no campaigns on this server yet
        raise NoSuchCampaign(f"campaign {campaign_id} does not exist")
    return await hook(s, campaign_id)


async def _live_shows(s: AsyncSession, scope: Scope | None) -> list[tuple[Show, str]]:
    query = (
        select(Show, User.display_name)
        .join(User, User.id == Show.host_id)
        .where(Show.status == "live")
        .order_by(Show.started_at.desc(), Show.id)
        .limit(LIVE_SHOWS_READ)
    )
    if scope is not None:
        query = query.where(
            or_(Show.id.in_(scope.show_ids), Show.host_id.in_(scope.host_ids)),
        )
    return [(r[0], r[1]) for r in (await s.execute(query)).all()]


async def snapshot(rt: Runtime, scope: Scope | None, currency: str) -> dict[str, Any]:
    """Everything one frame of the screen shows; money in minor units with its currency."""
    since, where = gmv.window(scope)
    async with rt.db.read() as s:
        totals = await gmv.totals(s, where)
        channels = await gmv.by_channel(s, where, currency)
        recent = await gmv.orders_since(s, scope, WINDOW_SECONDS)
        hosts = await gmv.top_hosts(s, where, currency, TOP)
        merchants = await gmv.top_merchants(s, where, currency, TOP)
        shows = await _live_shows(s, scope)
        sold = await gmv.show_gmv(s, [show.id for show, _ in shows], currency, since)
    hub = hub_of(rt)  # viewer counts asked together (one round trip each with Redis)
    counts = await asyncio.gather(*(hub.viewers(show.id) for show, _ in shows))
    watched = [
        (n, sold.get(show.id, 0), show, host) for n, (show, host) in zip(counts, shows, strict=True)
    ]
    watched.sort(key=lambda r: (-r[0], -r[1], r[2].id))  # the biggest rooms: most viewers
    rooms = [
        {"show_id": show.id, "title": show.title, "host": host, "viewers": n, "gmv": money}
        for n, money, show, host in watched[:ROOMS]
    ]
    return {
        "at": utcnow().isoformat(),
        "scope": scope.label if scope else "Whole platform",
        "since": since.isoformat(),
        "currency": currency,
        "totals": [{"currency": t.currency, "gmv": t.gmv, "orders": t.orders} for t in totals],
        "orders_per_second": round(recent / WINDOW_SECONDS, 2),
        "window_seconds": WINDOW_SECONDS,
        "channels": [{"channel": c, "gmv": v} for c, v in channels.items()],
        "hosts": [_entry(e) for e in hosts],
        "merchants": [_entry(e) for e in merchants],
        "rooms": rooms,
    }


def _entry(e: gmv.Ranked) -> dict[str, Any]:
    return {
        "id": e.id,
        "name": e.name,
        "avatar_url": e.avatar_url,
        "gmv": e.gmv,
        "orders": e.orders,
    }


@dataclass
class _Frame:
    data: dict[str, Any]
    made: float  # monotonic seconds


@dataclass
class BigScreen:
    """This node's latest frame per (campaign or None, currency), made at most once a second.
    The campaign's scope is looked up with each frame, so shows it adds appear on open
    screens."""

    rt: Runtime
    frames: dict[tuple[int | None, str], _Frame] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    computed: int = 0  # frames computed (tests check the coalescing)
    seen: int = 0  # newest order.money event when sales were last caught up

    async def frame(self, campaign_id: int | None, currency: str) -> dict[str, Any]:
        key = (campaign_id, currency)
        async with self.lock:  # one computation at a time; those waiting then find it fresh
            found = self.frames.get(key)
            if found is not None and time.monotonic() - found.made < TICK_SECONDS:
                return found.data
            async with self.rt.db.read() as s:
                newest = await outbox.latest(s, leaderboards.CONSUMER.topics)
            if newest != self.seen:  # scanning for pending events costs more than asking
                await listeners.catch_up_sales(self.rt)
                self.seen = newest
            async with self.rt.db.read() as s:
                scope = await access_scope(self.rt, s, campaign_id)
            data = await snapshot(self.rt, scope, currency)
            now = time.monotonic()
            self.frames = {k: f for k, f in self.frames.items() if now - f.made < FORGET_SECONDS}
            self.frames[key] = _Frame(data, now)
            self.computed += 1
            return data


def big_screen_of(rt: Runtime) -> BigScreen:
    screen: BigScreen = rt.services.setdefault("big_screen", BigScreen(rt))
    return screen
