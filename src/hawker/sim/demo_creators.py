"""The demo's supply side, made through the public API like the rest of the demo: host tiers,
host profiles (bio and categories), a creator fund pool for the month, an MCN with two hosts on
its roster, followers, earlier sales by the other hosts so the leaderboard has a race that the
live show's audience visibly wins, and a sale won by a host's affiliate link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx2 as httpx

from hawker.sim.catalogue import CATEGORIES, HOST_PROFILES, HOSTS, PASSWORD
from hawker.sim.client import HawkerClient

MCN_EMAIL = "mcn@demo.hawker.dev"
TIERS = [
    {"name": "Bronze", "rank": 1, "commission_bps": 800},
    {"name": "Silver", "rank": 2, "min_gmv_30d": 20_000, "min_followers": 1,
     "commission_bps": 1000, "boost_pct": 10},
    {"name": "Gold", "rank": 3, "min_gmv_30d": 200_000, "min_followers": 2,
     "commission_bps": 1200, "boost_pct": 25},
    {"name": "Platinum", "rank": 4, "min_gmv_30d": 2_000_000, "min_followers": 3,
     "commission_bps": 1500, "boost_pct": 50},
]  # fmt: skip
EARLIER_SALES = [(1, 3), (2, 2)]  # (host index, units of their show's first product)
FUND_POOL = 500_000  # $5,000.00 for this month's short videos


async def seed_creators(
    http: httpx.AsyncClient, operator_email: str, fans: list[HawkerClient]
) -> None:
    """Tiers are recomputed by the demo's own job (every 20 s there), so hosts climb while the
    audience buys; ``fans[0]`` makes the earlier sales."""
    shopper = fans[0]
    operator = HawkerClient(http)
    await operator.log_in(operator_email, PASSWORD)
    for tier in TIERS:
        await operator.call("POST", "/api/tiers", json=tier)
    categories = {}
    for slug, name in CATEGORIES:
        made = await operator.call("POST", "/api/categories", json={"slug": slug, "name": name})
        categories[slug] = made["id"]
    month = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    period = {
        "currency": "USD",
        "pool": FUND_POOL,
        "starts_at": month.isoformat(),
        "ends_at": (month + timedelta(days=32)).replace(day=1).isoformat(),
    }
    await operator.call("POST", "/api/creator-fund/periods", json=period, idempotent=True)
    hosts = []
    for h, (bio, slugs) in zip(HOSTS, HOST_PROFILES, strict=True):
        client = HawkerClient(http)
        await client.log_in(h["email"], PASSWORD)
        profile = {"bio": bio, "category_ids": [categories[c] for c in slugs]}
        await client.call("PUT", "/api/me/host-profile", json=profile)
        hosts.append(client)

    agency = HawkerClient(http)
    await agency.sign_up(MCN_EMAIL, PASSWORD, "Starlight MCN", ["mcn"])
    for host, share in ((hosts[0], 2000), (hosts[1], 1500)):
        invite = await agency.call(
            "POST",
            "/api/mcn/invites",
            json={"host_email": host.user["email"], "share_bps": share},
        )
        await host.call("POST", f"/api/me/mcn-invites/{invite['id']}/accept")

    for i, fan in enumerate(fans):  # the live host has the most fans
        for host in hosts[: 1 + (i % len(hosts))]:
            await fan.call("POST", f"/api/hosts/{host.user['id']}/follow")

    for index, units in EARLIER_SALES:
        shows = await shopper.call("GET", f"/api/shows?host_id={hosts[index].user['id']}")
        sku = shows[0]["lineup"][0]["skus"][0]["id"]
        await buy(shopper, sku, units, show_id=shows[0]["id"])

    # the last host shares a link to a product; a fan opens it and buys on the product page
    products = await shopper.call("GET", "/api/products")
    link = await hosts[-1].call(
        "POST", "/api/affiliate-links", json={"product_id": products[-1]["id"]}
    )
    await http.get(link["url"], headers=shopper.headers)
    await buy(shopper, products[-1]["skus"][0]["id"], 1)


async def buy(shopper: HawkerClient, sku: int, units: int, **attribution: int | str) -> None:
    """A paid order of ``units`` of ``sku``; ``attribution`` is the order's channel, show..."""
    order = await shopper.call(
        "POST",
        "/api/orders",
        json={"items": [{"sku_id": sku, "quantity": units}], **attribution},
        idempotent=True,
    )
    await shopper.call(
        "POST",
        f"/api/orders/{order['id']}/pay",
        json={"card": "4242 4242 4242 4242"},
        idempotent=True,
    )
