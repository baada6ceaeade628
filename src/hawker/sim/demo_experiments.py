"""The demo's experiments on the core product (issue 7, part 7), defined and started by the
operator through the public API (so audited like any operator's), and a crowd of visitors
that responds to them.

- ``home.live_position``: live now at the top, in the middle (the published layout) or
  hidden. Visitors load the home feed as signed-in shoppers (the server picks their variant
  and logs the exposure, as for a browser), click into the live section more the higher it
  sits (never when it is hidden; some still find the featured gala), and enter the room.
- ``boost.multiplier``: the campaign boost of a host's items doubled for half of the hosts
  (host-side randomization); visitors click the first items of a section most, so a
  boosted host's items draw more traffic.
- ``room.deal_banner``: the room's flash-deal banner, classic or countdown; the live
  audience reports seeing it and buys the deal a little more often under the countdown.

Visitors are made through the trusted service path (like the operator) with one password
hash between them: argon2 per visitor would take most of a minute.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx2 as httpx
import websockets

from hawker.accounts import service as accounts_service
from hawker.accounts.models import User, UserRole
from hawker.infra.runtime import Runtime
from hawker.sim.catalogue import PASSWORD
from hawker.sim.client import HawkerClient

VISITORS = 120
VISITS = 2  # home-page visits per visitor
AT_ONCE = 3
# the crowd is the demo's heaviest load: it comes once the room is lively and the clips are
# transcoding, and a few at a time, so a newcomer's first look stays quick
START_AFTER = 15.0
HALF = 5000

EXPERIMENTS: list[dict[str, Any]] = [
    {
        "key": "home.live_position",
        "title": "Where live now sits on the home page",
        "hypothesis": "Live higher on the page brings more shoppers into live rooms.",
        "layer": "home",
        "variants": [
            {"key": "middle", "weight": 3334, "value": "middle"},
            {"key": "top", "weight": 3333, "value": "top"},
            {"key": "hidden", "weight": 3333, "value": "hidden"},
        ],
        "metrics": ["live_entries", "home_live_ctr", "conversion"],
    },
    {
        "key": "boost.multiplier",
        "title": "Campaign boosts twice as strong for half of the hosts",
        "hypothesis": "A stronger boost buys participants more traffic.",
        "unit_type": "host",
        "layer": "boosts",
        "variants": [
            {"key": "control", "weight": HALF, "value": 1.0},
            {"key": "double", "weight": HALF, "value": 2.0},
        ],
    },
    {
        "key": "room.deal_banner",
        "title": "Flash-deal banner: classic or a bold countdown bar",
        "hypothesis": "A countdown with the stock left nudges more shoppers to grab the deal.",
        "layer": "room",
        "variants": [
            {"key": "classic", "weight": HALF, "value": "classic"},
            {"key": "countdown", "weight": HALF, "value": "countdown"},
        ],
        "metrics": ["conversion", "gmv_per_shopper"],
    },
]


async def seed_experiments(http: httpx.AsyncClient, operator_email: str) -> None:
    operator = HawkerClient(http)
    await operator.log_in(operator_email, PASSWORD)
    for definition in EXPERIMENTS:
        await operator.call("POST", "/api/experiments", json=definition)
        await operator.call("POST", f"/api/experiments/{definition['key']}/start")


async def make_visitors(rt: Runtime, http: httpx.AsyncClient, count: int) -> list[HawkerClient]:
    """Signed-in shoppers, each with the API token logging in gives."""
    async with rt.db.write() as s:
        first = await accounts_service.do_create_user(
            s,
            email="visitor0@demo.hawker.dev",
            password=PASSWORD,
            display_name="Visitor 0",
            roles=["shopper"],
        )
        users = [first]
        for i in range(1, count):
            user = User(
                email=f"visitor{i}@demo.hawker.dev",
                display_name=f"Visitor {i}",
                password_hash=first.password_hash,
            )
            user.role_rows = [UserRole(role="shopper")]
            s.add(user)
            users.append(user)
        await s.flush()
        tokens = [await accounts_service.do_create_api_token(s, u, "demo") for u in users]
    return [
        HawkerClient(http, token, {"id": u.id, "email": u.email})
        for u, token in zip(users, tokens, strict=True)
    ]


def live_click_chance(live_index: int | None) -> float:
    """Attention falls fast down the page: 0.7 for a live section on top, about half as much
    a section lower, none when it is not on the page."""
    return 0.0 if live_index is None else 0.7 * 0.55**live_index


class Visitors:
    def __init__(self, base_url: str, visitors: list[HawkerClient], seed: int = 11) -> None:
        self.base_url, self.visitors = base_url, visitors
        self.rng = random.Random(seed)

    async def run(self, visits: int = VISITS) -> None:
        """Every visitor comes once, then again: results fill in evenly."""
        gate = asyncio.Semaphore(AT_ONCE)

        async def one(visitor: HawkerClient) -> None:
            async with gate:
                await self.visit(visitor)

        for _ in range(visits):
            await asyncio.gather(*(one(v) for v in self.visitors))

    async def visit(self, visitor: HawkerClient) -> None:
        feed = await visitor.call("GET", "/api/feed")
        sources = [section["source"] for section in feed]
        live = sources.index("live") if "live" in sources else None
        chance = live_click_chance(live)
        featured = sources.index("featured") if "featured" in sources else None
        if live is not None and self.rng.random() < chance:
            await self.enter(visitor, self.pick(feed[live]["items"]))
        elif featured is not None and self.rng.random() < 0.08:  # the gala on top
            await self.enter(visitor, self.pick(feed[featured]["items"]))

    def pick(self, items: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The first item most often, then each next one half as often."""
        for item in items:
            if self.rng.random() < 0.5:
                return item
        return items[0] if items else None

    async def enter(self, visitor: HawkerClient, item: dict[str, Any] | None) -> None:
        if item is None or item["kind"] != "show":
            return
        await visitor.http.get(item["href"], headers=visitor.headers)  # /go counts the click
        url = visitor.ws_url(self.base_url, item["id"])
        # a short close handshake: the room notices the leave either way
        async with websockets.connect(url, close_timeout=0.5) as ws:  # the live entry
            await ws.recv()  # hello
            await asyncio.sleep(self.rng.uniform(0.05, 0.3))


async def run_experiments(
    http: httpx.AsyncClient, rt: Runtime, base_url: str, operator_email: str
) -> None:
    """Define and start the experiments, then let the visitors come (once the front page is
    published: only its sections are measured)."""
    await seed_experiments(http, operator_email)
    visitors = await make_visitors(rt, http, VISITORS)
    await asyncio.sleep(START_AFTER)
    await Visitors(base_url, visitors).run()
