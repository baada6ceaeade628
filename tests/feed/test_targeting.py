"""Who sees a section: country and language (Accept-Language), new shoppers, a host's
followers, and the section's schedule; previews as a given shopper."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from hawker.core.clock import clock, utcnow
from tests.conftest import Api
from tests.feed.conftest import publish, section, titles


def feed(api: Api, language: str = "") -> list[str]:
    return titles(api.get("/api/feed", headers={"Accept-Language": language}).json())


def test_country_language_new_shoppers_and_followers(
    client: TestClient, market: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    host = market["host"].user["id"]
    publish(
        market["operator"],
        [
            section("Ao vivo", "live", target={"languages": ["PT"]}),
            section("Live in Brazil", "live", target={"countries": ["br"]}),
            section("Welcome", "products", target={"audience": "new"}),
            section("Her fans", "live", target={"followers_of": host}),
            section("Everyone", "products"),
        ],
    )
    shopper = market["buyer"]
    assert feed(shopper, "pt-BR,pt;q=0.9") == ["Ao vivo", "Live in Brazil", "Welcome", "Everyone"]
    assert feed(shopper, "pt-PT") == ["Ao vivo", "Welcome", "Everyone"]
    assert feed(shopper, "en-US") == ["Welcome", "Everyone"]
    assert titles(client.get("/api/feed").json()) == ["Welcome", "Everyone"]  # signed out: new

    assert shopper.post(f"/api/hosts/{host}/follow").status_code in (200, 201)
    assert feed(shopper) == ["Welcome", "Her fans", "Everyone"]

    clock.offset_seconds = 31 * 86400  # the account is no longer new
    try:
        assert feed(shopper) == ["Her fans", "Everyone"]
        assert feed(make_user()) == ["Welcome", "Everyone"]  # a fresh account still is
    finally:
        clock.offset_seconds = 0


def test_sections_show_only_on_schedule(market: dict[str, Any]) -> None:
    now = utcnow()
    publish(
        market["operator"],
        [
            section("Soon", "live", starts_at=(now + timedelta(hours=1)).isoformat() + "Z"),
            section("Over", "live", ends_at=(now - timedelta(minutes=1)).isoformat() + "Z"),
            section(
                "Now",
                "live",
                starts_at=(now - timedelta(hours=1)).isoformat() + "Z",
                ends_at=(now + timedelta(hours=1)).isoformat() + "Z",
            ),
        ],
    )
    shopper = market["buyer"]
    assert feed(shopper) == ["Now"]
    clock.offset_seconds = 2 * 3600
    try:
        assert feed(shopper) == ["Soon"]
    finally:
        clock.offset_seconds = 0


def test_preview_as_a_shopper_sees_their_targeting_and_counts_nothing(
    market: dict[str, Any],
) -> None:
    operator, shopper = market["operator"], market["buyer"]
    host = market["host"].user["id"]
    shopper.post(f"/api/hosts/{host}/follow")
    publish(operator, [section("Everyone", "products")])
    draft = [section("Her fans", "live", target={"followers_of": host}), section("All", "products")]
    assert operator.put("/api/front-page/draft", json={"sections": draft}).status_code == 200

    as_fan = operator.get(f"/api/front-page/preview?as_user={shopper.user['id']}").json()
    assert titles(as_fan) == ["Her fans", "All"]
    assert titles(operator.get("/api/front-page/preview").json()) == ["All"]  # signed out
    assert titles(operator.get("/api/front-page/preview?version=1").json()) == ["Everyone"]
    assert operator.get("/api/front-page/preview?as_user=999999").status_code == 404
    metrics = operator.get("/api/front-page/metrics").json()
    assert all(m["impressions"] == 0 for m in metrics)  # previews are not impressions


def test_preview_page_renders_the_draft_as_the_shopper(market: dict[str, Any]) -> None:
    operator, shopper = market["operator"], market["buyer"]
    draft = [section("Ao vivo", "live", target={"languages": ["pt"]}), section("All", "products")]
    assert operator.put("/api/front-page/draft", json={"sections": draft}).status_code == 200
    page = operator.get(
        f"/operator/front-page/preview?as_user={shopper.user['id']}",
        headers={"Accept-Language": "pt-BR"},
    )
    assert page.status_code == 200
    assert f"Preview of the draft as shopper {shopper.user['id']}" in page.text
    assert page.text.index("Ao vivo") < page.text.index(">All<")
    assert shopper.get("/operator/front-page").status_code == 403
    assert shopper.get("/operator/front-page/preview").status_code == 403
