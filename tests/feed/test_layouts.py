"""Front-page layouts: draft, publish, versions, rollback (audited), bad input."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Api, assert_problem
from tests.feed.conftest import publish, section, titles

LIVE_TOP = [
    section("Live now", "live"),
    section("Coming up", "upcoming"),
    section("Shop", "products"),
]


def test_moving_live_to_the_middle_is_one_change_and_rolls_back(
    client: TestClient, market: dict[str, Any], audit: Callable[[str], list[Any]]
) -> None:
    operator, shopper = market["operator"], market["buyer"]
    first = publish(operator, LIVE_TOP, note="live on top")
    assert first["version"] == 1
    assert titles(shopper.get("/api/feed").json()) == ["Live now", "Coming up", "Shop"]

    live, upcoming, shop = first["sections"]
    second = publish(operator, [upcoming, live, shop], note="live in the middle")
    assert second["version"] == 2
    feed = shopper.get("/api/feed").json()
    assert titles(feed) == ["Coming up", "Live now", "Shop"]
    assert feed[1]["id"] == live["id"]  # the section keeps its id when it moves
    assert feed[1]["items"][0] == {
        "kind": "show",
        "id": market["show"]["id"],
        "title": "Drop",
        "href": f"/go?s={live['id']}&k=show&id={market['show']['id']}",
        "image_url": "",
        "promoted": False,
        "score": feed[1]["items"][0]["score"],
    }

    back = operator.post("/api/front-page/rollback", json={"version": 1})
    assert back.status_code == 201, back.text
    assert back.json()["version"] == 3 and back.json()["note"] == "rollback to version 1"
    assert titles(shopper.get("/api/feed").json()) == ["Live now", "Coming up", "Shop"]
    versions = operator.get("/api/front-page/versions").json()
    assert [v["version"] for v in versions] == [3, 2, 1]  # every version is kept
    draft = operator.get("/api/front-page/draft").json()
    assert [x["title"] for x in draft["sections"]] == ["Live now", "Coming up", "Shop"]

    published = audit("front_page.publish")
    assert [(e.target_id, e.actor_id) for e in published] == [
        ("1", operator.user["id"]),
        ("2", operator.user["id"]),
    ]
    assert published[0].before is None
    assert published[1].before["version"] == 1
    assert [x["title"] for x in published[1].after["sections"]] == ["Coming up", "Live now", "Shop"]
    (rolled,) = audit("front_page.rollback")
    assert rolled.before["version"] == 2 and rolled.after["version"] == 3
    assert rolled.after["sections"] == published[0].after["sections"]


def test_the_draft_is_not_seen_until_published(market: dict[str, Any]) -> None:
    operator, shopper = market["operator"], market["buyer"]
    publish(operator, LIVE_TOP)
    r = operator.put(
        "/api/front-page/draft", json={"sections": [section("Only products", "products")]}
    )
    assert r.status_code == 200
    assert titles(shopper.get("/api/feed").json()) == ["Live now", "Coming up", "Shop"]
    preview = operator.get("/api/front-page/preview").json()
    assert titles(preview) == ["Only products"]


def test_empty_sections_are_left_out(client: TestClient, market: dict[str, Any]) -> None:
    publish(
        market["operator"],
        [
            section("Short videos", "videos"),  # no clips in this market
            section("Replays", "replays"),
            section("Live now", "live"),
            section("Picked", "picked", items=[{"kind": "product", "id": 999999}]),
        ],
    )
    assert titles(market["buyer"].get("/api/feed").json()) == ["Live now"]
    page = client.get("/")
    assert page.status_code == 200
    assert "Short videos" not in page.text and "Replays" not in page.text
    assert page.text.count('class="section front-section"') == 1


def test_hand_picked_items_keep_the_operators_order(market: dict[str, Any]) -> None:
    product, show, later = market["product"], market["show"], market["later"]
    picks = [
        {"kind": "show", "id": later["id"]},
        {"kind": "product", "id": product["id"]},
        {"kind": "show", "id": show["id"]},
    ]
    publish(market["operator"], [section("Editor's picks", "picked", items=picks)])
    (picked,) = market["buyer"].get("/api/feed").json()
    assert [(i["kind"], i["id"]) for i in picked["items"]] == [(p["kind"], p["id"]) for p in picks]


def test_bad_layouts_are_refused_and_change_nothing(
    market: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    operator = market["operator"]
    first = publish(operator, LIVE_TOP)
    bad = [
        ([section("X", "horoscope")], "unknown_source"),
        ([section("X", "live", id=first["sections"][0]["id"] + 100)], "no_such_section"),
        ([first["sections"][0], first["sections"][0]], "no_such_section"),
    ]
    for sections, code in bad:
        assert_problem(
            operator.put("/api/front-page/draft", json={"sections": sections}), 422, code
        )
    schema_errors: list[dict[str, Any]] = [
        section("", "live"),
        section("X", "live", limit=0),
        section("X", "live", surprise=True),
        section("X", "live", target={"countries": ["Brazil"]}),
        section("X", "live", starts_at="2030-01-02T00:00:00Z", ends_at="2030-01-01T00:00:00Z"),
        section("X", "picked", items=[{"kind": "order", "id": 1}]),
    ]
    for spec in schema_errors:
        assert_problem(operator.put("/api/front-page/draft", json={"sections": [spec]}), 422)
    assert_problem(operator.post("/api/front-page/rollback", json={"version": 9}), 404)
    draft = operator.get("/api/front-page/draft").json()
    assert [x["title"] for x in draft["sections"]] == ["Live now", "Coming up", "Shop"]

    shopper = make_user()
    assert_problem(shopper.put("/api/front-page/draft", json={"sections": []}), 403)
    assert_problem(shopper.post("/api/front-page/publish", json={}), 403)
    assert_problem(shopper.post("/api/front-page/rollback", json={"version": 1}), 403)
    assert_problem(shopper.get("/api/front-page/metrics"), 403)
    assert_problem(shopper.get("/api/front-page/preview"), 403)
    assert [v["version"] for v in operator.get("/api/front-page/versions").json()] == [1]


def test_a_registered_source_fills_a_section_hero(
    client: TestClient, market: dict[str, Any]
) -> None:
    """The hook campaigns use: a source registered at start-up, laid out as a hero."""
    from hawker.feed import sources
    from hawker.feed.scoring import Candidate
    from hawker.live.models import Show

    async def featured(ctx: sources.SourceContext, spec: Any) -> list[Candidate]:
        show = await ctx.s.get(Show, market["show"]["id"])
        assert show is not None
        return [Candidate("show", show.id, show.scheduled_start, host_id=show.host_id, row=show)]

    sources.register(sources.Source("featured", "Featured event", "hero", featured))
    try:
        publish(market["operator"], [section("Gala", "featured"), section("Shop", "products")])
        page = client.get("/")
        assert page.text.index('<div class="hero">') < page.text.index(">Shop<")
        assert page.text.count('class="live-card"') == 1
    finally:
        del sources.SOURCES["featured"]
