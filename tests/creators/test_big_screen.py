"""The GMV big screen's figures follow orders paid and refunded through the API, to the minor
unit: totals, channels, hosts, merchants, rooms and orders per second; a campaign hook narrows
them; frames are coalesced (one computation however many screens ask)."""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core.clock import clock, utcnow
from hawker.creators import big_screen
from hawker.creators.gmv import Scope
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem
from tests.creators.conftest import refund
from tests.orders.conftest import buy, pay


@pytest.fixture
def fresh_frames(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every request computes its frame (no waiting out the one-second coalescing)."""
    monkeypatch.setattr(big_screen, "TICK_SECONDS", 0.0)
    yield
    clock.offset_seconds = 0


def frame(api: Api, **params: Any) -> dict[str, Any]:
    r = api.get("/api/big-screen", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_screen_follows_orders_and_refunds(
    fresh_frames: None,
    make_user: Callable[..., Api],
    shop: Callable[..., dict[str, Any]],
    sell: Callable[..., Any],
) -> None:
    ops = make_user("operator")
    first, second = shop(stock=50, price=1000), shop(stock=50, price=3000)
    sell(quantity=2, ctx=first)  # live, 2000
    _, big = sell(quantity=1, ctx=second)  # live, 3000
    direct = buy(first["buyer"], [{"sku_id": first["sku"], "quantity": 1}]).json()
    assert direct["channel"] == "direct"
    assert pay(first["buyer"], direct["id"]).status_code == 200  # direct, 1000

    f = frame(ops)
    assert f["scope"] == "Whole platform" and f["currency"] == "USD"
    assert f["totals"] == [{"currency": "USD", "gmv": 6000, "orders": 3}]
    assert f["channels"] == [{"channel": "live", "gmv": 5000}, {"channel": "direct", "gmv": 1000}]
    assert f["orders_per_second"] == 0.3 and f["window_seconds"] == 10
    host_of = {first["host"].user["id"]: "first", second["host"].user["id"]: "second"}
    assert [(host_of[h["id"]], h["gmv"], h["orders"]) for h in f["hosts"]] == [
        ("second", 3000, 1),
        ("first", 2000, 1),
    ]
    assert sorted((m["gmv"], m["orders"]) for m in f["merchants"]) == [(3000, 1), (3000, 2)]
    rooms = [(r["show_id"], r["gmv"], r["viewers"]) for r in f["rooms"]]
    assert rooms == [(second["show"]["id"], 3000, 0), (first["show"]["id"], 2000, 0)]
    rt = runtime_of(ops.client.app)

    async def watching() -> None:  # as the room hub reports a room's viewers
        await rt.room_state.report_viewers(first["show"]["id"], 7, claim=True)

    ops.client.portal.call(watching)  # type: ignore[union-attr]
    rooms = [(r["show_id"], r["viewers"]) for r in frame(ops)["rooms"]]
    assert rooms == [(first["show"]["id"], 7), (second["show"]["id"], 0)]  # most watched first

    refund(second, big["id"], 1499)  # partial: 1501 left
    f = frame(ops)
    assert f["totals"] == [{"currency": "USD", "gmv": 4501, "orders": 3}]
    assert f["channels"][0] == {"channel": "live", "gmv": 3501}
    assert [(host_of[h["id"]], h["gmv"]) for h in f["hosts"]] == [("first", 2000), ("second", 1501)]
    refund(second, big["id"])  # the rest: the order no longer counts
    f = frame(ops)
    assert f["totals"] == [{"currency": "USD", "gmv": 3000, "orders": 2}]
    assert [host_of[h["id"]] for h in f["hosts"]] == ["first"]
    assert frame(ops, currency="EUR")["channels"] == []

    clock.offset_seconds = 11  # the sliding window has passed them all
    assert frame(ops)["orders_per_second"] == 0.0


def test_campaign_scope_narrows_the_screen(
    fresh_frames: None,
    client: TestClient,
    make_user: Callable[..., Api],
    shop: Callable[..., dict[str, Any]],
    sell: Callable[..., Any],
) -> None:
    ops = make_user("operator")
    first, second = shop(stock=50, price=1000), shop(stock=50, price=3000)
    sell(quantity=2, ctx=first)
    sell(quantity=1, ctx=second)
    assert_problem(ops.get("/api/big-screen", params={"campaign": 7}), 404, "no_such_campaign")

    async def hook(s: AsyncSession, campaign_id: int) -> Scope:
        assert campaign_id == 7
        return Scope(
            "Singles' Day", utcnow() - timedelta(hours=1), show_ids=frozenset({first["show"]["id"]})
        )

    big_screen.set_campaign_scope(runtime_of(client.app), hook)
    f = frame(ops, campaign=7)
    assert f["scope"] == "Singles' Day"
    assert f["totals"] == [{"currency": "USD", "gmv": 2000, "orders": 1}]
    assert [r["show_id"] for r in f["rooms"]] == [first["show"]["id"]]
    assert [h["id"] for h in f["hosts"]] == [first["host"].user["id"]]
    assert frame(ops)["totals"][0]["gmv"] == 5000  # the platform screen is unchanged


def test_frames_are_coalesced(
    client: TestClient,
    make_user: Callable[..., Api],
    sell: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many screens (and many orders) between two ticks: one computation, one picture."""
    monkeypatch.setattr(big_screen, "TICK_SECONDS", 3600.0)
    ops = make_user("operator")
    sell(quantity=1)
    seen = [frame(ops)["totals"] for _ in range(5)]
    sell(quantity=1)
    seen.append(frame(ops)["totals"])
    assert all(t == seen[0] for t in seen)
    assert big_screen.big_screen_of(runtime_of(client.app)).computed == 1
    frame(ops, currency="EUR")  # another picture is computed on its own
    assert big_screen.big_screen_of(runtime_of(client.app)).computed == 2


def test_big_screen_is_for_operators_and_checks_input(make_user: Callable[..., Api]) -> None:
    host, ops = make_user("host"), make_user("operator")
    for url in ("/api/big-screen", "/api/big-screen/stream", "/api/operator/metrics"):
        assert_problem(host.get(url), 403)
        assert host.client.get(url).status_code == 401
    assert_problem(ops.get("/api/big-screen", params={"currency": "usd"}), 422)
    assert_problem(ops.get("/api/big-screen", params={"campaign": 0}), 422)
    assert_problem(ops.get("/api/big-screen/stream", params={"campaign": 3}), 404)
    assert_problem(ops.get("/api/operator/metrics", params={"days": 0}), 422)
    assert_problem(ops.get("/api/operator/metrics", params={"days": 93}), 422)
    assert_problem(ops.get("/api/operator/metrics", params={"days": "x"}), 422)
