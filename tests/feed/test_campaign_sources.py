"""The front page and the campaigns together: a featured gala is pinned on top exactly while
it is live, a festival section shows what running campaigns approved, and a traffic boost
lifts an item (labelled "Promoted") and spends its daily budget as the page is shown."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.core.clock import utcnow
from hawker.feed import boosts as feed_boosts
from tests.conftest import Api
from tests.feed.conftest import publish, section, titles


def iso(delta: timedelta) -> str:
    return (utcnow() + delta).isoformat() + "Z"


def test_featured_gala_festival_section_and_boosts(
    client: TestClient,
    market: dict[str, Any],
    make_user: Callable[..., Api],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(feed_boosts, "FLUSH_SECONDS", 0.0)  # count every page view at once
    op, host, merchant = market["operator"], market["host"], market["merchant"]
    fest = op.post(
        "/api/campaigns",
        json={"name": "Gala Days", "slug": "gala-days", "starts_at": iso(timedelta(hours=-1)),
              "ends_at": iso(timedelta(days=1)), "rules": "Deals only."},
    ).json()  # fmt: skip
    gala = host.post(
        "/api/shows", json={"title": "Gala night", "scheduled_start": iso(timedelta(minutes=5))}
    ).json()
    (slot,) = host.post(
        f"/api/campaigns/{fest['id']}/shows", json={"items": [{"show_id": gala["id"]}]}
    ).json()
    item = {"product_id": market["product"]["id"], "deal_price": 2000}
    (entry,) = merchant.post(f"/api/campaigns/{fest['id']}/products", json={"items": [item]}).json()
    for e in (slot, entry):
        op.post(f"/api/campaign-entries/{e['id']}/decision", json={"status": "approved"})
    op.post(f"/api/campaign-entries/{slot['id']}/feature", json={"featured": True})
    publish(op, [section("Gala", "featured", limit=1), section("Live now", "live"),
                 section("Festival", "festival"), section("Shop", "products")])  # fmt: skip
    shopper = market["buyer"]

    def page() -> dict[str, list[tuple[str, int, bool]]]:
        return {
            s["title"]: [(i["kind"], i["id"], i["promoted"]) for i in s["items"]]
            for s in shopper.get("/api/feed").json()
        }

    assert "Gala" not in page()  # not live yet: the section is left out
    festival = [x[:2] for x in page()["Festival"]]
    assert festival == [("product", market["product"]["id"]), ("show", gala["id"])] or festival == [
        ("show", gala["id"]),
        ("product", market["product"]["id"]),
    ]  # what the festival approved, upcoming shows included; the market's own show is not
    host.post(f"/api/shows/{gala['id']}/start")
    assert titles(shopper.get("/api/feed").json())[0] == "Gala"
    assert page()["Gala"] == [("show", gala["id"], False)]

    other = merchant.post(
        "/api/products",
        json={"title": "Newer", "skus": [{"name": "M", "price": 900, "currency": "USD",
                                           "stock": 3}]},
    ).json()  # fmt: skip
    assert page()["Shop"][0][1] == other["id"]  # newest first when equal
    boost = {"kind": "product", "target_id": market["product"]["id"], "campaign_id": fest["id"],
             "multiplier": 3, "daily_budget": 2}  # fmt: skip
    made = op.post("/api/boosts", json=boost)
    assert made.status_code == 201, made.text
    shop = page()["Shop"]
    assert shop[0] == ("product", market["product"]["id"], True)  # lifted and labelled
    page()  # a second boosted impression: the budget of 2 is spent
    stats = op.get(f"/api/campaigns/{fest['id']}/stats").json()
    assert stats["boosts"][0]["impressions_today"] == 2, stats
    assert page()["Shop"][0][1] == other["id"]  # out of budget: back to its place
