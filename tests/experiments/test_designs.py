"""Host-side (cluster) and switchback experiments through the API, on both databases: events
are credited to hosts through their orders and shows, to slots by their time after the
burn-in, and the results match per-unit values computed here from the rows written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import stats as sps

from hawker.analytics.models import Event
from hawker.analytics.service import record
from hawker.catalog.models import Merchant, Product
from hawker.core.clock import clock, utcnow
from hawker.experiments.exposures import Seen, do_expose
from hawker.experiments.metrics import metric
from hawker.experiments.registry import Registry
from hawker.experiments.results import _events
from hawker.infra.runtime import runtime_of
from hawker.live.models import Show
from hawker.orders.models import Order
from tests.conftest import Api, assert_problem

TWO_ARMS = [{"key": "control", "weight": 5000}, {"key": "treatment", "weight": 5000}]
METRICS = ["gmv_per_shopper", "live_entries", "gmv_per_session"]


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.offset_seconds = 0


def define(operator: Api, key: str, **extra: Any) -> dict[str, Any]:
    body = {"key": key, "title": key, "variants": TWO_ARMS, "metrics": METRICS, **extra}
    r = operator.post("/api/experiments", json={**body, "layer": key})
    assert r.status_code == 201, r.text
    r = operator.post(f"/api/experiments/{key}/start")
    assert r.status_code == 200, r.text
    return dict(r.json())


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=None)


def test_switchback_settings_are_validated(make_user: Callable[..., Api]) -> None:
    operator = make_user("operator")
    body = {"key": "sb", "title": "sb", "variants": TWO_ARMS, "unit_type": "slot"}
    for extra, words in (
        ({}, "needs slot_seconds"),
        ({"slot_seconds": 600, "burn_in_seconds": 600}, "shorter than slot_seconds"),
        ({"slot_seconds": 600, "burn_in_seconds": -1}, "burn_in_seconds"),
        ({"slot_seconds": 30}, "slot_seconds"),
        ({"unit_type": "host", "slot_seconds": 600}, "for slot units only"),
        ({"unit_type": "shopper", "burn_in_seconds": 60}, "for slot units only"),
    ):
        problem = assert_problem(operator.post("/api/experiments", json={**body, **extra}), 422)
        assert words in problem["detail"], problem
    r = operator.post("/api/experiments", json={**body, "slot_seconds": 600})
    assert r.status_code == 201, r.text
    assert (r.json()["slot_seconds"], r.json()["burn_in_seconds"]) == (600, 0)  # default
    assert_problem(operator.get("/api/experiments/sb/results"), 409, "experiment_not_started")
    operator.post("/api/experiments/sb/start")
    ramp = operator.post("/api/experiments/sb/ramp", json={"traffic": 5000})
    assert "rewrite" in assert_problem(ramp, 409, "illegal_experiment_transition")["detail"]


def test_host_side_experiment_credits_events_to_hosts(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    """16 hosts: joins credit the show's host, purchases the order's attributed host (a live
    order, and a video order with no show), refunds the order's host too. Unexposed hosts and
    events with no host credit nobody."""
    operator, buyer, seller = make_user("operator"), make_user(), make_user("merchant")
    hosts = [make_user("host").user["id"] for _ in range(16)]
    define(operator, "boost.multiplier", unit_type="host")
    rt = runtime_of(client.app)
    registry: Registry = rt.services["experiments"]
    rng = np.random.default_rng(21)
    expected: dict[int, list[float]] = {}  # exposed host -> [arm, gmv, joins]

    async def order(merchant: int, host: int | None, show: int | None, total: int) -> int:
        async with rt.db.write() as s:
            row = Order(
                buyer_id=buyer.user["id"],
                merchant_id=merchant,
                status="paid",
                currency="EUR",
                total=total,
                channel="live" if show else "video",
                show_id=show,
                host_id=host,
                expires_at=utcnow(),
            )
            s.add(row)
            await s.flush()
            return row.id

    async def scenario() -> dict[str, Any]:
        seen = Seen()
        async with rt.db.write() as s:
            merchant = Merchant(owner_id=seller.user["id"], name="Stall")
            s.add(merchant)
            await s.flush()
            product = Product(merchant_id=merchant.id, title="Tea")
            shows = [Show(host_id=h, title="live", scheduled_start=utcnow()) for h in hosts]
            s.add_all([product, *shows])
            await s.flush()
            show_of = {h: show.id for h, show in zip(hosts, shows, strict=True)}
            ids = (merchant.id, product.id)
        for i, host in enumerate(hosts):
            a = registry.variant("boost.multiplier", str(host))
            exposed = i % 8 != 7  # two hosts never seen: their events credit nobody
            if exposed:
                async with rt.db.write() as s:
                    assert await do_expose(s, a, str(host), seen)
            lift = 1.5 if a.variant == "treatment" else 1.0
            live = int(rng.poisson(3000 * lift))
            video = int(rng.poisson(1000))
            live_order = await order(ids[0], host, show_of[host], live)
            video_order = await order(ids[0], host, None, video)
            joins = int(rng.integers(1, 6))
            async with rt.db.write() as s:
                for _ in range(joins):
                    await record(s, "room.join", user_id=buyer.user["id"], show_id=show_of[host])
                for order_id, value, show in (
                    (live_order, live, show_of[host]),
                    (video_order, video, None),
                ):
                    await record(
                        s, "purchase", user_id=buyer.user["id"], show_id=show,
                        product_id=ids[1], order_id=order_id, value=value,
                    )  # fmt: skip
            if exposed:
                expected[host] = [a.variant == "treatment", live + video, joins]
        nobody = await order(ids[0], None, None, 99_999)
        async with rt.db.write() as s:
            await record(s, "purchase", user_id=buyer.user["id"], order_id=nobody, value=99_999)
        since, until = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
        async with rt.db.read() as s:
            measures = [metric("gmv_per_shopper")]
            return {
                kind: await _events(s, measures, since, until, kind)
                for kind in ("merchant", "show")
            }

    mapped = client.portal.call(scenario)  # type: ignore[union-attr]
    r = operator.get("/api/experiments/boost.multiplier/results")
    assert r.status_code == 200, r.text
    body = r.json()
    rows = np.array(list(expected.values()), dtype=np.float64)
    arm, gmv, joins = rows[:, 0].astype(bool), rows[:, 1], rows[:, 2]
    assert body["design"] == "cluster" and "switchback" not in body
    assert body["units"] == [int((~arm).sum()), int(arm.sum())]
    found = {m["key"]: m for m in body["metrics"]}
    assert "randomization_p" not in found["gmv_per_shopper"]
    assert found["gmv_per_shopper"]["means"] == pytest.approx([gmv[~arm].mean(), gmv[arm].mean()])
    welch = sps.ttest_ind(gmv[arm], gmv[~arm], equal_var=False)
    # the salt is random: an arm of one host (rare) has no p, as scipy's is NaN
    p = found["gmv_per_shopper"]["p"][0]
    assert p is None if np.isnan(welch.pvalue) else p == pytest.approx(welch.pvalue)
    assert found["live_entries"]["means"] == pytest.approx([joins[~arm].mean(), joins[arm].mean()])
    ratios = [gmv[a].sum() / joins[a].sum() for a in (~arm, arm)]
    assert found["gmv_per_session"]["means"] == pytest.approx(ratios)
    # the same purchases by merchant (their orders') and by show (the live ones only)
    assert {u for _, u, *_ in mapped["merchant"]} == {mapped["merchant"][0][1]}
    assert len(mapped["merchant"]) == 2 * len(hosts) + 1
    assert len(mapped["show"]) == len(hosts)  # video orders and the hostless one have no show


def test_switchback_analyses_every_slot_after_its_burn_in(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    """One-minute slots with a 15 s burn-in over 40 minutes. Each slot's variant comes from
    the running registry, as server code asks it; events inside a burn-in are large decoys
    that must not count, and so are events before the start and after the stop."""
    operator = make_user("operator")
    started = when(
        define(operator, "home.sb", unit_type="slot", slot_seconds=60, burn_in_seconds=15)[
            "started_at"
        ]
    )
    rt = runtime_of(client.app)
    registry: Registry = rt.services["experiments"]
    rng = np.random.default_rng(8)
    epoch = datetime(1970, 1, 1)
    first = int(-((epoch - started) // timedelta(minutes=1)))
    slots = range(first - 1, first + 42)
    arms = {k: registry.variant("home.sb", str(k)) for k in slots}
    events: list[Event] = []
    for k in slots:
        begins = epoch + timedelta(minutes=k)
        treated = arms[k].variant == "treatment"
        events.append(Event(type="purchase", at=begins + timedelta(seconds=3), value=10**6))
        for _ in range(int(rng.poisson(6))):
            at = begins + timedelta(seconds=float(rng.uniform(15, 60)))
            events.append(Event(type="room.join", at=at, user_id=1, show_id=1))
            if rng.random() < 0.5:
                value = int(rng.poisson(1300 if treated else 1000))
                events.append(Event(type="purchase", at=at, value=value))

    async def write() -> None:
        async with rt.db.write() as s:
            s.add_all(events)

    client.portal.call(write)  # type: ignore[union-attr]
    clock.offset_seconds = (started + timedelta(minutes=40) - utcnow()).total_seconds()
    r = operator.post("/api/experiments/home.sb/stop", json={"reason": "done"})
    assert r.status_code == 200, r.text
    until = when(r.json()["stopped_at"]) + timedelta(microseconds=1)

    # independently: a slot is a unit when it begins in the window and its burn-in ends in it
    units = [
        k
        for k in slots
        if started <= epoch + timedelta(minutes=k)
        and epoch + timedelta(minutes=k, seconds=15) < until
        and arms[k].in_experiment
    ]
    gmv = {k: 0.0 for k in units}
    joins = {k: 0.0 for k in units}
    for e in events:
        k = int((e.at - epoch) // timedelta(minutes=1))
        counted = e.at >= epoch + timedelta(minutes=k, seconds=15) and e.at < until
        if k in gmv and counted:
            if e.type == "purchase":
                gmv[k] += e.value
            else:
                joins[k] += 1
    treated = np.array([arms[k].variant == "treatment" for k in units])
    y = np.array([gmv[k] for k in units])
    sessions = np.array([joins[k] for k in units])

    body = operator.get("/api/experiments/home.sb/results").json()
    assert body["design"] == "switchback"
    assert body["units"] == [int((~treated).sum()), int(treated.sum())]
    assert body["switchback"] == {
        "slot_seconds": 60,
        "burn_in_seconds": 15,
        "slots": body["units"],
        "draws": 10_000,
        "seed": body["switchback"]["seed"],
    }
    found = {m["key"]: m for m in body["metrics"]}
    result = found["gmv_per_shopper"]
    assert result["means"] == pytest.approx([y[~treated].mean(), y[treated].mean()])
    welch = sps.ttest_ind(y[treated], y[~treated], equal_var=False)
    assert result["p"][0] == pytest.approx(welch.pvalue)

    def permutation_p(tau: float) -> float:
        """scipy's test of Y(1) = Y(0) + tau on the slot totals, outcomes imputed."""
        y0 = y - tau * treated
        return float(
            sps.permutation_test(
                (y0[treated], y0[~treated]),
                lambda t, c, axis: np.abs(t.mean(axis=axis) - c.mean(axis=axis)),
                vectorized=True,
                n_resamples=9_999,
                alternative="greater",
                rng=np.random.default_rng(2),
            ).pvalue
        )

    assert result["randomization_p"][0] == pytest.approx(permutation_p(0.0), abs=0.015)
    low, high = result["randomization_ci"][0]
    se = np.sqrt(
        y[treated].var(ddof=1) / treated.sum() + y[~treated].var(ddof=1) / (~treated).sum()
    )
    assert low < result["diff"][0] < high
    for bound, outwards in ((low, -1), (high, 1)):
        assert (
            permutation_p(bound + outwards * 0.3 * se)
            < 0.05
            < permutation_p(bound - outwards * 0.3 * se)
        )
    ratio = found["gmv_per_session"]
    expected = (
        y[treated].sum() / sessions[treated].sum() - y[~treated].sum() / sessions[~treated].sum()
    )
    assert ratio["diff"][0] == pytest.approx(expected)
    assert 0 < ratio["randomization_p"][0] <= 1 and ratio["randomization_ci"][0] == [None, None]
