"""The demo's shoppers also buy away from the shows (from search, the feed, a product page),
so the GMV big screen (/big-screen, as the operator) opens on more than one channel while
the live audience keeps its ticker climbing."""

from __future__ import annotations

from hawker.sim.client import HawkerClient
from hawker.sim.demo_creators import buy

CHANNEL_SALES = [("search", 2), ("feed", 1), ("direct", 1)]  # (channel, units)


async def seed_big_screen(fans: list[HawkerClient]) -> None:
    """The last few fans buy one product each; a fan who watched a show selling it is
    attributed to that show instead (last touch), as any shopper would be."""
    products = await fans[0].call("GET", "/api/products?limit=100")
    for i, (channel, units) in enumerate(CHANNEL_SALES):
        sku = products[-1 - i % len(products)]["skus"][0]["id"]
        await buy(fans[-1 - i % len(fans)], sku, units, channel=channel)
