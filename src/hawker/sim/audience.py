"""A small simulated audience: bots that watch, chat, like and buy through the public API.

Rates are chosen to look like a modest real room (a chat line every couple of seconds, likes in
bursts, a purchase every ten seconds or so), not to load-test anything. While a flash deal is
on, each bot sees the banner design the server picked for it (``room.deal_banner``, reported
as an exposure like the room page does) and grabs the deal a little more often under the
countdown design.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import websockets

from hawker.sim.catalogue import CHAT_LINES
from hawker.sim.client import ApiError, HawkerClient

log = logging.getLogger(__name__)
SANDBOX_CARD = "4242424242424242"
DEAL_BANNER = "room.deal_banner"
COUNTDOWN_NUDGE = 0.02  # of a bot's actions while a deal is on: 0.22 of them buy, 0.24 here


@dataclass
class RoomState:
    """What the bots know about the room, learnt from its events."""

    pinned: dict[str, Any] | None = None
    deal: dict[str, Any] | None = None
    deal_left: int = 0
    seen: set[int] = field(default_factory=set)

    def apply(self, message: dict[str, Any]) -> None:
        kind, data = message.get("type"), message.get("data") or {}
        if kind == "hello":
            self.pinned = data.get("pinned") or self.pinned
        elif kind == "pin":
            self.pinned = data.get("product")
        elif kind == "unpin":
            self.pinned = None
        elif kind == "deal.started":
            self.deal, self.deal_left = data["deal"], data["deal"].get("left", 0)
        elif kind == "deal.stock" and self.deal and data.get("deal_id") == self.deal["id"]:
            self.deal_left = data.get("left", 0)
        elif kind == "deal.ended" and self.deal and data.get("deal_id") == self.deal["id"]:
            self.deal = None


class Audience:
    def __init__(
        self,
        base_url: str,
        show_id: int,
        host: HawkerClient,
        viewers: list[HawkerClient],
        lineup: list[dict[str, Any]],
        seed: int = 7,
        coupons: tuple[str, ...] = (),
    ) -> None:
        self.base_url, self.show_id, self.host = base_url, show_id, host
        self.viewers, self.lineup = viewers, lineup
        self.coupons = coupons  # codes a third of the purchases try
        self.rng = random.Random(seed)
        self.state = RoomState()
        self.designs: dict[int, str] = {}  # bot index -> the banner design it was shown

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._viewer(bot, i)) for i, bot in enumerate(self.viewers)]
        tasks.append(asyncio.create_task(self._host()))
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()

    async def _viewer(self, bot: HawkerClient, index: int) -> None:
        await asyncio.sleep(index * 0.4)  # arrive over a few seconds, like a real audience
        after = 0
        while True:
            try:
                async with websockets.connect(bot.ws_url(self.base_url, self.show_id, after)) as ws:
                    reader = asyncio.create_task(self._read(ws))
                    try:
                        await self._act(bot, ws, index)
                    finally:
                        reader.cancel()
            except (OSError, websockets.WebSocketException):
                await asyncio.sleep(1 + self.rng.random() * 2)

    async def _read(self, ws: Any) -> None:
        async for raw in ws:
            self.state.apply(json.loads(raw))

    async def _act(self, bot: HawkerClient, ws: Any, index: int) -> None:
        while True:
            await asyncio.sleep(self.rng.uniform(2.0, 9.0))
            roll = self.rng.random()
            deal_on = bool(self.state.deal and self.state.deal_left > 0)
            grab = 0.97
            if deal_on and await self._banner(bot, index) == "countdown":
                grab += COUNTDOWN_NUDGE
            if roll < 0.3:
                await ws.send(json.dumps({"type": "chat", "text": self.rng.choice(CHAT_LINES)}))
            elif roll < 0.75:
                await ws.send(json.dumps({"type": "like", "count": self.rng.randint(1, 6)}))
            elif roll < 0.87 or (deal_on and roll < grab):
                await self._buy(bot)

    async def _banner(self, bot: HawkerClient, index: int) -> str:
        """The deal banner's design for this bot, asked once like the room page does and
        reported as seen (the server logs the exposure once)."""
        if index not in self.designs:
            try:
                (found,) = await bot.call("GET", f"/api/variants?keys={DEAL_BANNER}")
                if found["in_experiment"]:
                    await bot.call("POST", f"/api/experiments/{DEAL_BANNER}/exposure")
            except ApiError as e:
                log.debug("banner variant not known yet: %s", e)
                return "classic"
            if not found["in_experiment"]:  # not running yet (or held out): ask again later
                return str(found["value"] or "classic")
            self.designs[index] = str(found["value"])
        return self.designs[index]

    async def _buy(self, bot: HawkerClient) -> None:
        deal, pinned = self.state.deal, self.state.pinned
        if deal and self.state.deal_left > 0:
            item: dict[str, Any] = {"deal_id": deal["id"], "quantity": 1}
        elif pinned and pinned.get("skus"):
            item = {"sku_id": self.rng.choice(pinned["skus"])["id"], "quantity": 1}
        else:
            return
        body: dict[str, Any] = {"items": [item], "channel": "live", "show_id": self.show_id}
        if self.coupons and self.rng.random() < 0.35:
            body["coupons"] = [self.rng.choice(self.coupons)]
        try:
            try:
                order = await bot.call("POST", "/api/orders", idempotent=True, json=body)
            except ApiError as e:  # the coupon is not (or no longer) good: buy without it
                if not e.code.startswith("coupon_"):
                    raise
                body.pop("coupons")
                order = await bot.call("POST", "/api/orders", idempotent=True, json=body)
            await asyncio.sleep(self.rng.uniform(1.0, 4.0))  # filling in the checkout sheet
            if self.rng.random() < 0.9:  # some carts are abandoned and expire
                await bot.call(
                    "POST",
                    f"/api/orders/{order['id']}/pay",
                    idempotent=True,
                    json={"card": SANDBOX_CARD},
                )
        except ApiError as e:  # sold out, over the limit: what real buyers hit too
            log.debug("bot purchase refused: %s", e)

    async def _host(self) -> None:
        """The host rotates the pinned product and launches a flash deal now and then."""
        position = 0
        while True:
            product = self.lineup[position % len(self.lineup)]
            with suppress(ApiError):
                await self.host.call(
                    "POST", f"/api/shows/{self.show_id}/pin", json={"product_id": product["id"]}
                )
            await asyncio.sleep(8)
            if self.state.deal is None:
                sku = product["skus"][0]
                with suppress(ApiError):
                    await self.host.call(
                        "POST",
                        f"/api/shows/{self.show_id}/deals",
                        json={
                            "sku_id": sku["id"],
                            "deal_price": sku["price"] * 7 // 10,
                            "quantity": 20,
                            "per_buyer_limit": 2,
                            "duration_seconds": 90,
                        },
                    )
            await asyncio.sleep(self.rng.uniform(35, 50))
            position += 1
