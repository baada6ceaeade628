"""The home page's experiments (issue 7, part 7): ``home.live_position`` moves or hides the
live-now section, ``boost.multiplier`` scales a host's campaign boosts, each logging its
exposure once; the page's impressions and clicks reach the event log by section key."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hawker.analytics.models import Event
from hawker.core.clock import utcnow
from hawker.experiments.models import Exposure
from hawker.experiments.registry import registry_of
from hawker.feed.scoring import Boosts, Candidate
from hawker.feed.service import with_host_variants
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.feed.conftest import publish, section, titles

LAYOUT = [
    section("Coming up", "upcoming"),
    section("Shop", "products"),
    section("Live now", "live"),
]


def force(operator: Api, key: str, value: Any, unit_type: str = "shopper") -> dict[str, Any]:
    """A running experiment with everyone in one variant (the control keeps weight 0)."""
    body = {
        "key": key,
        "title": key,
        "unit_type": unit_type,
        "layer": key.replace(".", "-"),
        "holdout": False,
        "variants": [
            {"key": "control", "weight": 0, "value": None},
            {"key": "forced", "weight": 10_000, "value": value},
        ],
    }
    r = operator.post("/api/experiments", json=body)
    assert r.status_code == 201, r.text
    r = operator.post(f"/api/experiments/{key}/start")
    assert r.status_code == 200, r.text
    return dict(r.json())


def rows(client: TestClient, model: Any, *where: Any) -> list[Any]:
    rt = runtime_of(client.app)

    async def read() -> list[Any]:
        async with rt.db.read() as s:
            return list(await s.scalars(select(model).where(*where)))

    return client.portal.call(read)  # type: ignore[union-attr, no-any-return]


def html_order(html: str, names: list[str]) -> list[str]:
    """The section titles in the order the page shows them."""
    found = [(html.find(f">{n}<"), n) for n in names if f">{n}<" in html]
    return [n for _, n in sorted(found)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("top", ["Live now", "Coming up", "Shop"]),
        ("middle", ["Coming up", "Live now", "Shop"]),
        ("hidden", ["Coming up", "Shop"]),
        ("sideways", ["Coming up", "Shop", "Live now"]),  # not a position: the layout's
    ],
)
def test_live_now_sits_where_the_variant_says(
    client: TestClient, market: dict[str, Any], value: str, expected: list[str]
) -> None:
    operator, shopper = market["operator"], market["buyer"]
    publish(operator, LAYOUT)
    assert titles(shopper.get("/api/feed").json()) == ["Coming up", "Shop", "Live now"]
    experiment = force(operator, "home.live_position", value)
    assert titles(shopper.get("/api/feed").json()) == expected
    page = shopper.get("/")
    assert page.status_code == 200
    assert html_order(page.text, ["Coming up", "Shop", "Live now"]) == expected
    # a signed-out visitor is no shopper unit: the published layout
    assert titles(client.get("/api/feed").json()) == ["Coming up", "Shop", "Live now"]
    exposed = rows(client, Exposure, Exposure.experiment_id == experiment["id"])
    assert [(x.unit, x.variant) for x in exposed] == [(str(shopper.user["id"]), "forced")]
    events = rows(client, Event, Event.type == "experiment.exposure")
    assert [e.data for e in events] == [
        {"experiment": "home.live_position", "variant": "forced", "unit": str(shopper.user["id"])}
    ]  # two page views, one exposure


def test_a_device_experiment_follows_the_device_cookie(
    client: TestClient, market: dict[str, Any]
) -> None:
    publish(market["operator"], LAYOUT)
    force(market["operator"], "home.live_position", "top", unit_type="device")
    assert titles(client.get("/api/feed").json())[0] == "Coming up"  # no cookie, no unit
    client.cookies.set("hawker_device", "d-42")
    assert titles(client.get("/api/feed").json())[0] == "Live now"
    (exposure,) = rows(client, Exposure)
    assert exposure.unit == "d-42"


def test_no_live_section_no_exposure(client: TestClient, market: dict[str, Any]) -> None:
    operator, shopper = market["operator"], market["buyer"]
    publish(operator, [section("Coming up", "upcoming")])
    force(operator, "home.live_position", "hidden")
    assert titles(shopper.get("/api/feed").json()) == ["Coming up"]
    assert rows(client, Exposure) == []  # nothing to move: the variant made no difference


def test_impressions_and_clicks_reach_the_event_log_by_section_key(
    client: TestClient, market: dict[str, Any]
) -> None:
    operator, shopper = market["operator"], market["buyer"]
    layout = publish(operator, LAYOUT)
    live = layout["sections"][2]["id"]
    shopper.get("/api/feed")
    shopper.get("/")
    client.get("/api/feed")
    show = market["show"]["id"]
    went = shopper.get(f"/go?s={live}&k=show&id={show}", follow_redirects=False)
    assert went.status_code == 303
    operator.get("/api/front-page/metrics")  # flushes this node's buffered impressions

    def of(kind: str) -> dict[tuple[int | None, str], int]:
        return {
            (e.user_id, e.data["section"]): e.value for e in rows(client, Event, Event.type == kind)
        }

    me = shopper.user["id"]
    assert of("section.impression") == {
        (me, "home.live"): 2,
        (me, "home.upcoming"): 2,
        (me, "home.products"): 2,
        (None, "home.live"): 1,
        (None, "home.upcoming"): 1,
        (None, "home.products"): 1,
    }
    assert of("section.click") == {(me, "home.live"): 1}


def test_hidden_live_has_no_live_impressions(client: TestClient, market: dict[str, Any]) -> None:
    operator, shopper = market["operator"], market["buyer"]
    publish(operator, LAYOUT)
    force(operator, "home.live_position", "hidden")
    shopper.get("/api/feed")
    operator.get("/api/front-page/metrics")
    seen = {e.data["section"] for e in rows(client, Event, Event.type == "section.impression")}
    assert seen == {"home.upcoming", "home.products"}


def test_the_host_variant_multiplies_its_campaign_boosts(
    client: TestClient, market: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    operator, shopper = market["operator"], market["buyer"]
    host = market["host"].user["id"]
    other = make_user("host").user["id"]
    publish(operator, LAYOUT)
    r = operator.post(
        "/api/boosts",
        json={
            "kind": "show",
            "target_id": market["show"]["id"],
            "multiplier": 1.5,
            "daily_budget": 1000,
            "starts_at": "2020-01-01T00:00:00Z",
            "ends_at": "2099-01-01T00:00:00Z",
        },
    )
    assert r.status_code == 201, r.text
    experiment = force(operator, "boost.multiplier", 2.0, unit_type="host")
    registry = registry_of(runtime_of(client.app))
    mine, theirs = ("show", 1), ("show", 2)
    boosted = with_host_variants(
        registry,
        Boosts({mine: 1.5, theirs: 1.25}, frozenset({mine, theirs})),
        [Candidate("show", 1, utcnow(), host_id=host), Candidate("show", 2, utcnow())],
    )
    assert boosted.multipliers == {mine: 3.0, theirs: 1.25}  # no host: its own boost

    live = next(x for x in shopper.get("/api/feed").json() if x["title"] == "Live now")
    assert live["items"][0]["promoted"]
    shopper.get("/api/feed")
    exposed = rows(client, Exposure, Exposure.experiment_id == experiment["id"])
    assert [(x.unit, x.variant) for x in exposed] == [(str(host), "forced")]
    assert str(other) not in {x.unit for x in exposed}


def test_a_host_variant_below_one_never_unboosts(
    client: TestClient, market: dict[str, Any]
) -> None:
    force(market["operator"], "boost.multiplier", 0.1, unit_type="host")
    registry = registry_of(runtime_of(client.app))
    boosted = with_host_variants(
        registry,
        Boosts({("show", 1): 1.5}, frozenset({("show", 1)})),
        [Candidate("show", 1, utcnow(), host_id=7)],
    )
    assert boosted.multipliers == {("show", 1): 1.0}
