"""The demo's front page, published through the public API like an operator would: live
commerce gets the middle of the page, with the festival's featured gala pinned to the top
while it is live, upcoming shows and short videos above, and the festival's deals, followed
hosts, replays and products below."""

from __future__ import annotations

import httpx2 as httpx

from hawker.sim.catalogue import PASSWORD
from hawker.sim.client import HawkerClient

LAYOUT = [
    {"title": "Festival gala, live now", "source": "featured", "limit": 1},
    {"title": "Coming up", "source": "upcoming"},
    {"title": "Short videos", "source": "videos"},
    {"title": "Live now", "source": "live"},
    {"title": "Summer Festival deals", "source": "festival"},
    {"title": "From hosts you follow", "source": "followed"},
    {"title": "Replays", "source": "replays"},
    {"title": "Shop the shows", "source": "products", "limit": 20},
]


async def seed_front_page(http: httpx.AsyncClient, operator_email: str) -> None:
    operator = HawkerClient(http)
    await operator.log_in(operator_email, PASSWORD)
    await operator.call("PUT", "/api/front-page/draft", json={"sections": LAYOUT})
    await operator.call(
        "POST", "/api/front-page/publish", json={"note": "live commerce in the middle"}
    )
