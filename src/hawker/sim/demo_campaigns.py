"""The demo's festival, made through the public API: a campaign running now, merchants and
hosts who applied and were approved, a day of shows imported from CSV, the live show
featured, and boosts on participants. The live audience's purchases raise its GMV."""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx

from hawker.core.clock import utcnow
from hawker.sim.catalogue import HOSTS, MERCHANTS, PASSWORD
from hawker.sim.client import HawkerClient

SLUG = "summer-festival"
IMPORTED_SHOWS = 12  # one an hour, hosts taking turns
DEAL_OFF_PCT = 20


async def _client(http: httpx.AsyncClient, email: str) -> HawkerClient:
    client = HawkerClient(http)
    await client.log_in(email, PASSWORD)
    return client


async def seed_campaigns(http: httpx.AsyncClient, operator_email: str) -> None:
    operator = await _client(http, operator_email)
    now = utcnow().replace(second=0, microsecond=0)
    campaign = await operator.call(
        "POST",
        "/api/campaigns",
        json={
            "name": "Summer Festival",
            "slug": SLUG,
            "theme_colour": "#e0245e",
            "rules": "Festival prices 20 % off or more. Featured shows lead the front page.",
            "starts_at": (now - timedelta(hours=2)).isoformat() + "Z",
            "ends_at": (now + timedelta(days=3)).isoformat() + "Z",
        },
    )
    cid = campaign["id"]
    entries = []
    for m in MERCHANTS:
        merchant = await _client(http, m["email"])
        mine = await merchant.call(
            "GET", f"/api/products?merchant_id={await _merchant_id(merchant)}"
        )
        items = [
            {
                "product_id": p["id"],
                "deal_price": p["skus"][0]["price"] * (100 - DEAL_OFF_PCT) // 100,
            }
            for p in mine[:3]
        ]
        entries += await merchant.call(
            "POST", f"/api/campaigns/{cid}/products", json={"items": items}
        )
    hosts = [await _client(http, h["email"]) for h in HOSTS]
    live_entry = None
    for host in hosts:
        shows = await host.call("GET", f"/api/shows?host_id={host.user['id']}")
        items = [
            {"show_id": s["id"], "duration_minutes": 60} for s in shows if s["status"] != "ended"
        ]
        if items:
            mine = await host.call("POST", f"/api/campaigns/{cid}/shows", json={"items": items})
            entries += mine
            live = {s["id"] for s in shows if s["status"] == "live"}
            live_entry = next((e for e in mine if e["target_id"] in live), live_entry)
    for entry in entries:
        await operator.call(
            "POST", f"/api/campaign-entries/{entry['id']}/decision", json={"status": "approved"}
        )
    if live_entry is not None:  # the live show is the festival's gala
        await operator.call(
            "POST", f"/api/campaign-entries/{live_entry['id']}/feature", json={"featured": True}
        )
        await operator.call(
            "POST",
            "/api/boosts",
            json={"kind": "show", "target_id": live_entry["target_id"], "campaign_id": cid,
                  "multiplier": 1.5, "score_cap": 1000.0, "daily_budget": 20_000},
        )  # fmt: skip
    for entry in entries:
        if entry["kind"] == "product":
            await operator.call(
                "POST",
                "/api/boosts",
                json={"kind": "product", "target_id": entry["target_id"], "campaign_id": cid,
                      "multiplier": 1.25, "daily_budget": 5_000},
            )  # fmt: skip
    await _import_schedule(http, operator, cid)


async def _merchant_id(merchant: HawkerClient) -> int:
    return int((await merchant.call("GET", "/api/merchants/me"))["id"])


async def _import_schedule(
    http: httpx.AsyncClient, operator: HawkerClient, campaign_id: int
) -> None:
    """A day of shows from tomorrow afternoon (after the hosts' own), by CSV like an operator."""
    first = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=30)
    rows = ["host_email,title,start,duration_minutes,product_ids"]
    for i in range(IMPORTED_SHOWS):
        host = HOSTS[i % len(HOSTS)]
        start = first + timedelta(hours=i)
        rows.append(
            f"{host['email']},Festival hour {i + 1} with {host['name']},{start:%Y-%m-%dT%H:%M}Z,50,"
        )
    r = await http.post(
        f"/api/campaigns/{campaign_id}/schedule",
        content="\n".join(rows).encode(),
        headers=operator.headers | {"Content-Type": "text/csv"},
    )
    r.raise_for_status()
