"""The simple score, boosts from the provider ("Promoted" items) and impressions reported
back to it."""

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.feed.scoring import Boosts, Candidate, Key, SimpleScorer, rank
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.feed.conftest import publish, section

NOW = datetime(2026, 11, 29, 12, 0)


def test_more_viewers_fresher_and_converting_score_higher() -> None:
    scorer = SimpleScorer()
    base = Candidate("show", 1, NOW - timedelta(hours=2), engagement=100)
    busier = Candidate("show", 2, NOW - timedelta(hours=2), engagement=1000)
    older = Candidate("show", 3, NOW - timedelta(days=3), engagement=100)
    selling = Candidate("show", 4, NOW - timedelta(hours=2), engagement=100, conversion=0.2)
    score = {c.id: scorer.score(c, NOW, 1.0) for c in (base, busier, older, selling)}
    assert score[2] > score[1] > score[3]
    assert score[4] > score[1]
    assert scorer.score(base, NOW, 2.0) == pytest.approx(2 * score[1])


@given(
    st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=20),
    st.floats(min_value=1.0, max_value=10.0),
)
def test_a_boost_never_moves_an_item_down(engagements: list[float], boost: float) -> None:
    candidates = [Candidate("product", i + 1, NOW, e) for i, e in enumerate(engagements)]
    plain = [c.id for c, _ in rank(SimpleScorer(), candidates, Boosts(), NOW, 20)]
    boosted = rank(SimpleScorer(), candidates, Boosts({("product", 1): boost}), NOW, 20)
    assert [c.id for c, _ in boosted].index(1) <= plain.index(1)


class Provider:
    """A stand-in for the campaigns' boost engine."""

    def __init__(self, boosts: Boosts) -> None:
        self.value, self.shown_items = boosts, list[Key]()

    async def boosts(
        self, s: AsyncSession, keys: Collection[Key], scores: Mapping[Key, float] | None = None
    ) -> Boosts:
        return self.value

    async def shown(self, items: Sequence[Key]) -> None:
        self.shown_items.extend(items)


def test_boosted_items_rise_are_labelled_and_their_impressions_reported(
    client: TestClient, market: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    merchant = market["merchant"]
    other = merchant.post(
        "/api/products",
        json={
            "title": "Newer mug",
            "skus": [{"name": "M", "price": 900, "currency": "USD", "stock": 3}],
        },
    ).json()
    publish(market["operator"], [section("Shop", "products")])
    first = [i["id"] for i in market["buyer"].get("/api/feed").json()[0]["items"]]
    assert first == [other["id"], market["product"]["id"]]  # newest first when equal

    boosted = ("product", market["product"]["id"])
    provider = Provider(Boosts({boosted: 3.0}, frozenset({boosted})))
    runtime_of(client.app).services["feed.boosts"] = provider
    (shop,) = market["buyer"].get("/api/feed").json()
    assert [(i["id"], i["promoted"]) for i in shop["items"]] == [
        (market["product"]["id"], True),
        (other["id"], False),
    ]
    assert provider.shown_items == [boosted, ("product", other["id"])]
    page = client.get("/")
    assert page.text.count(">Promoted</span>") == 1
    market["operator"].get("/api/front-page/preview")
    assert len(provider.shown_items) == 4  # the page counted; the preview did not


def test_the_section_cache_loads_once_per_ttl_and_not_at_all_at_zero() -> None:
    import asyncio

    from hawker.feed.cache import SectionCache

    loads: list[int] = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    async def scenario() -> list[int]:
        cache = SectionCache()
        got = [await cache.get("k", 60, load), await cache.get("k", 60, load)]
        cache.clear()  # a publish
        got.append(await cache.get("k", 60, load))
        got += [await cache.get("z", 0, load), await cache.get("z", 0, load)]
        return got

    assert asyncio.run(scenario()) == [1, 1, 2, 3, 4]


def test_concurrent_misses_load_a_section_once() -> None:
    import asyncio

    from hawker.feed.cache import SectionCache

    loads: list[int] = []

    async def scenario() -> list[str]:
        cache, gate = SectionCache(), asyncio.Event()

        async def load() -> str:
            loads.append(1)
            await gate.wait()
            return "ranked"

        waiting = [asyncio.create_task(cache.get("live", 60, load)) for _ in range(5)]
        await asyncio.sleep(0)
        gate.set()
        return list(await asyncio.gather(*waiting))

    assert asyncio.run(scenario()) == ["ranked"] * 5
    assert loads == [1]


def test_a_hosts_tier_boost_lifts_their_shows(
    market: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    operator, fan = market["operator"], market["buyer"]
    rival = make_user("host")
    fresher = rival.post(
        "/api/shows", json={"title": "Fresher", "scheduled_start": "2026-06-01T10:00:00Z"}
    ).json()
    assert rival.post(f"/api/shows/{fresher['id']}/start").status_code == 200
    publish(operator, [section("Live now", "live")])
    order = [i["id"] for i in fan.get("/api/feed").json()[0]["items"]]
    assert order == [fresher["id"], market["show"]["id"]]  # started later: fresher

    tier = {"name": "Star", "rank": 1, "min_followers": 1, "commission_bps": 1000, "boost_pct": 200}
    assert operator.post("/api/tiers", json=tier).status_code == 201
    fan.post(f"/api/hosts/{market['host'].user['id']}/follow")
    assert operator.post("/api/tiers/recompute").status_code == 200
    (live,) = fan.get("/api/feed").json()
    assert [(i["id"], i["promoted"]) for i in live["items"]] == [
        (market["show"]["id"], False),  # earned, not bought: no label
        (fresher["id"], False),
    ]


def test_impressions_kept_when_a_flush_fails() -> None:
    import asyncio
    from datetime import date
    from types import SimpleNamespace

    from hawker.feed.cache import ImpressionBuffer

    def unreachable() -> Any:
        raise ConnectionError("database down")

    buffer = ImpressionBuffer()
    buffer.add(7, [(1, "home.live"), (2, "home.videos")], date(2026, 11, 29))
    buffer.add(None, [(1, "home.live")], date(2026, 11, 29))
    rt: Any = SimpleNamespace(db=SimpleNamespace(write=unreachable))
    with pytest.raises(ConnectionError):
        asyncio.run(buffer.flush(rt))
    assert dict(buffer.counts) == {
        (1, 7, date(2026, 11, 29)): 1,
        (2, 7, date(2026, 11, 29)): 1,
        (1, None, date(2026, 11, 29)): 1,
    }
