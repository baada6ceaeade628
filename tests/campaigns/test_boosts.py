"""Traffic boosts: multipliers with caps, a daily impression budget paced over the day, and
what the front page asks and reports, on a controlled clock."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.campaigns import boosts
from hawker.core.clock import clock, utcnow
from tests.campaigns.conftest import iso
from tests.conftest import Api, assert_problem

DAY = datetime(2026, 11, 11)


@given(budget=st.integers(1, 10**6), seconds=st.integers(0, 86399))
def test_allowance_spreads_the_budget_over_the_day(budget: int, seconds: int) -> None:
    now = DAY + timedelta(seconds=seconds)
    allowed = boosts.allowance(budget, now)
    assert 1 <= allowed <= budget
    assert allowed <= budget * seconds / 86400 + boosts.burst(budget)
    later = boosts.allowance(budget, now + timedelta(seconds=1)) if seconds < 86399 else budget
    assert later >= allowed  # never shrinks during the day


def test_allowance_examples() -> None:
    assert boosts.allowance(1000, DAY) == 50  # the burst, at midnight
    assert boosts.allowance(1000, DAY + timedelta(hours=12)) == 550
    assert boosts.allowance(1000, DAY + timedelta(hours=23, minutes=59)) == 1000
    assert boosts.allowance(10, DAY) == 1


@pytest.fixture
def boosted(
    make_user: Callable[..., Api], festival: Callable[..., dict[str, Any]]
) -> Callable[..., tuple[Api, dict[str, Any], int]]:
    def make(**boost: Any) -> tuple[Api, dict[str, Any], int]:
        c = festival()
        merchant = make_user("merchant")
        pid = merchant.post(
            "/api/products",
            json={
                "title": "Lamp",
                "skus": [{"name": "-", "price": 900, "currency": "USD", "stock": 5}],
            },
        ).json()["id"]
        body = {
            "kind": "product",
            "target_id": pid,
            "campaign_id": c["id"],
            "multiplier": 2.0,
            "daily_budget": 100,
        }
        r = c["operator"].post("/api/boosts", json=body | boost)
        assert r.status_code == 201, r.text
        return c["operator"], r.json(), pid

    return make


def test_budget_and_pacing_decide_when_a_boost_applies(
    boosted: Callable[..., Any], in_db: Callable[..., Any]
) -> None:
    op, boost, pid = boosted(
        daily_budget=100, starts_at=iso(timedelta(days=-2)), ends_at=iso(timedelta(days=3))
    )
    item, other = ("product", pid), ("product", pid + 1000)
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    clock.offset_seconds = (midnight + timedelta(hours=1) - utcnow()).total_seconds()

    def ask(now: datetime, items: list[tuple[str, int]]) -> dict[tuple[str, int], float]:
        async def go(s: AsyncSession) -> Any:
            return await boosts.boost_multipliers(s, items, now)

        return in_db(go)  # type: ignore[no-any-return]

    def show(now: datetime, times: int) -> None:
        async def go(s: AsyncSession) -> None:
            await boosts.do_count_impressions(s, [item] * times + [other], now)

        in_db(go)

    at_1am = utcnow()
    assert ask(at_1am, [item, other]) == {item: 2.0}
    # by 01:00 pacing allows floor(100 * 1/24) + 5 = 9 boosted impressions
    show(at_1am, 8)
    assert ask(at_1am, [item]) == {item: 2.0}
    show(at_1am, 1)
    assert ask(at_1am, [item]) == {}  # paced: come back later in the day
    noon = midnight + timedelta(hours=12)
    assert ask(noon, [item]) == {item: 2.0}
    show(noon, 91)  # budget reached exactly
    assert ask(midnight + timedelta(hours=23, minutes=59), [item]) == {}
    show(noon, 5)  # counted impressions never pass the budget

    async def report(s: AsyncSession) -> Any:
        return await boosts.boost_lines(s, boost["campaign_id"], midnight.date())

    line = in_db(report)[0]
    assert (line.today, line.total) == (100, 100)
    assert ask(midnight + timedelta(days=1, hours=1), [item]) == {item: 2.0}  # a new day
    stats = op.get(f"/api/campaigns/{boost['campaign_id']}/stats").json()
    assert stats["boost_impressions"] == 100
    assert stats["boosts"][0]["impressions_total"] == 100


def test_cap_multiplier_window_and_ending(
    boosted: Callable[..., Any], in_db: Callable[..., Any], audits: Callable[[], list[Any]]
) -> None:
    op, boost, pid = boosted(multiplier=3.0, score_cap=50.0)
    item = ("product", pid)

    def ask(scores: dict[Any, float] | None, now: datetime | None = None) -> Any:
        async def go(s: AsyncSession) -> Any:
            return await boosts.boost_multipliers(s, [item], now or utcnow(), scores)

        return in_db(go)

    assert ask(None) == {item: 3.0}
    assert ask({item: 10.0}) == {item: 3.0}  # 30 is under the cap
    assert ask({item: 20.0}) == {item: 2.5}  # lowered to reach exactly 50
    assert ask({item: 80.0}) == {item: 1.0}  # already past the cap: no lift, never a cut
    assert ask(None, utcnow() + timedelta(days=3)) == {}  # after the campaign
    assert ask(None, utcnow() - timedelta(days=1)) == {}  # before it
    ended = op.delete(f"/api/boosts/{boost['id']}")
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert ask(None) == {}
    entries = [
        (a.action, a.before, a.after["active"]) for a in audits() if a.target_type == "boost"
    ]
    assert [(e[0], e[2]) for e in entries] == [("boost.create", True), ("boost.end", False)]
    assert entries[0][1] is None and entries[1][1]["active"] is True


def test_boost_input_and_permissions(
    make_user: Callable[..., Api], boosted: Callable[..., Any]
) -> None:
    op, boost, pid = boosted()
    host = make_user("host")
    good = {"kind": "product", "target_id": pid, "multiplier": 1.5, "daily_budget": 10}
    assert_problem(host.post("/api/boosts", json=good | {"campaign_id": boost["campaign_id"]}), 403)
    assert_problem(op.post("/api/boosts", json=good), 422, "invalid")  # no window, no campaign
    window = {"starts_at": iso(timedelta()), "ends_at": iso(timedelta(hours=1))}
    assert op.post("/api/boosts", json=good | window).status_code == 201
    assert (
        op.post(
            "/api/boosts", json={**good, **window, "kind": "host", "target_id": host.user["id"]}
        ).status_code
        == 201
    )
    for bad in (
        {"multiplier": 1.0},
        {"multiplier": 11},
        {"daily_budget": 0},
        {"kind": "shop"},
        {"score_cap": -1},
    ):
        assert_problem(op.post("/api/boosts", json=good | window | bad), 422, "invalid")
    assert_problem(op.post("/api/boosts", json=good | window | {"target_id": 999999}), 404)
    backwards = {"starts_at": iso(timedelta(hours=1)), "ends_at": iso(timedelta())}
    assert_problem(op.post("/api/boosts", json=good | backwards), 422, "invalid")
    assert_problem(op.delete("/api/boosts/999999"), 404)
    assert_problem(host.get(f"/api/campaigns/{boost['campaign_id']}/stats"), 403)
