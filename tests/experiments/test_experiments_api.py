"""Operators define, start, ramp, stop and kill experiments through the API (validated,
audited); callers get sticky variants and log exposures once; results match an independent
computation on the raw rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import stats as sps

from hawker.analytics.service import list_events, record
from hawker.core.config import Settings
from hawker.experiments import stats
from hawker.experiments.exposures import Seen, do_expose, mixed_units
from hawker.experiments.jobs import check_guardrails
from hawker.experiments.registry import Assignment, Registry
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"experiment_holdout_bps": 0})


def definition(key: str = "home.live_position", **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "title": "Live now: top, middle or hidden",
        "variants": [
            {"key": "top", "weight": 3334, "value": "top"},
            {"key": "middle", "weight": 3333, "value": "middle"},
            {"key": "hidden", "weight": 3333, "value": "hidden"},
        ],
        "metrics": ["gmv_per_shopper", "conversion", "live_entries"],
        "guardrails": [{"metric": "refund_rate", "threshold": 0.1}],
        **extra,
    }


def variant_of(user: Api, key: str = "home.live_position") -> dict[str, Any]:
    r = user.get("/api/variants", params={"keys": [key]})
    assert r.status_code == 200, r.text
    return dict(r.json()[0])


def test_definitions_are_validated_and_audited(make_user: Callable[..., Api]) -> None:
    operator, shopper = make_user("operator"), make_user()
    assert_problem(shopper.post("/api/experiments", json=definition()), 403)
    bad = definition()
    bad["variants"][0]["weight"] = 1
    assert_problem(operator.post("/api/experiments", json=bad), 422, "bad_weights")
    assert_problem(
        operator.post("/api/experiments", json=definition(metrics=["nope"])), 422, "unknown_metric"
    )
    twice = definition()
    twice["variants"][1]["key"] = "top"
    assert_problem(operator.post("/api/experiments", json=twice), 422)
    assert_problem(operator.post("/api/experiments", json=definition(extra=1)), 422)
    assert_problem(operator.post("/api/experiments", json=definition("k" * 41)), 422)
    r = operator.post("/api/experiments", json=definition(layer="home", layer_share=6000))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft"
    assert_problem(
        operator.post("/api/experiments", json=definition()), 409, "duplicate_experiment_key"
    )
    full = definition("home.other", layer="home", layer_share=5000)
    body = assert_problem(operator.post("/api/experiments", json=full), 409, "layer_full")
    assert "4000 free buckets" in body["detail"]
    assert operator.post("/api/experiments", json={**full, "layer_share": 4000}).status_code == 201
    assert_problem(operator.get("/api/experiments/nope"), 404, "unknown_experiment")
    patch = {"title": None, "traffic": 2000, "metrics": ["conversion"]}
    changed = operator.patch("/api/experiments/home.other", json=patch).json()
    assert (changed["title"], changed["traffic"], changed["metrics"]) == (
        full["title"],
        2000,
        ["conversion"],
    )
    assert_problem(operator.patch("/api/experiments/home.other", json={"traffic": -1}), 422)
    assert_problem(
        operator.post("/api/experiments/home.live_position/ramp", json={"traffic": 1}), 409
    )
    audit = operator.get("/api/operator/audit", params={"action": "experiment."}).json()
    actions = [e["action"] for e in audit]
    assert actions == ["experiment.change", "experiment.create", "experiment.create"]


def test_sticky_variants_ramp_kill_and_exposures(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator = make_user("operator")
    shoppers = [make_user() for _ in range(30)]
    assert operator.post("/api/experiments", json=definition(traffic=5000)).status_code == 201
    assert variant_of(shoppers[0]) == {
        "key": "home.live_position",
        "variant": "top",
        "value": "top",
        "in_experiment": False,
    }  # a draft: everyone gets the control
    assert operator.post("/api/experiments/home.live_position/start").json()["status"] == "running"
    empty = operator.get("/api/experiments/home.live_position/results").json()  # nobody yet
    assert empty["units"] == [0, 0, 0] and empty["srm"] is False
    first = {s.user["id"]: variant_of(s) for s in shoppers}
    assert first == {s.user["id"]: variant_of(s) for s in shoppers}  # sticky
    inside = [s for s in shoppers if first[s.user["id"]]["in_experiment"]]
    assert 0 < len(inside) < len(shoppers)  # half the traffic

    r = operator.post("/api/experiments/home.live_position/ramp", json={"traffic": 10_000})
    assert r.status_code == 200, r.text
    ramped = {s.user["id"]: variant_of(s) for s in shoppers}
    assert all(ramped[u] == v for u, v in first.items() if v["in_experiment"])
    assert all(v["in_experiment"] for v in ramped.values())

    seer = inside[0]
    assert seer.post("/api/experiments/home.live_position/exposure").json() == {"logged": True}
    assert seer.post("/api/experiments/home.live_position/exposure").json() == {"logged": False}
    rt = runtime_of(client.app)

    async def exposures() -> list[Any]:
        async with rt.db.read() as s:
            return await list_events(s, type="experiment.exposure")

    logged = client.portal.call(exposures)  # type: ignore[union-attr]
    assert [(e.user_id, e.data["variant"]) for e in logged] == [
        (seer.user["id"], ramped[seer.user["id"]]["variant"])
    ]

    # another process sees the kill through the definitions version
    other = Registry()
    client.portal.call(other.refresh, rt.db)  # type: ignore[union-attr]
    unit = str(seer.user["id"])
    assert other.variant("home.live_position", unit).in_experiment
    r = operator.post("/api/experiments/home.live_position/kill", json={"reason": "crashes"})
    assert r.json()["status"] == "killed"
    assert {variant_of(s)["variant"] for s in shoppers} == {"top"}
    assert client.portal.call(other.refresh, rt.db)  # type: ignore[union-attr]
    assert other.variant("home.live_position", unit) == other.default("home.live_position")
    audit = operator.get("/api/operator/audit", params={"action": "experiment."}).json()
    assert [e["action"] for e in audit] == [
        "experiment.kill",
        "experiment.ramp",
        "experiment.start",
        "experiment.create",
    ]


def test_results_match_scipy_on_the_raw_rows_and_report_mixed_units(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator = make_user("operator")
    experiment = definition(
        variants=[{"key": "control", "weight": 5000}, {"key": "treatment", "weight": 5000}]
    )
    assert operator.post("/api/experiments", json=experiment).status_code == 201
    operator.post("/api/experiments/home.live_position/start")
    rt = runtime_of(client.app)
    registry: Registry = rt.services["experiments"]
    rng = np.random.default_rng(11)
    gmv: dict[str, list[int]] = {"control": [], "treatment": []}

    async def scenario() -> list[str]:
        seen = Seen()
        async with rt.db.write() as s:
            for user_id in range(1, 201):
                a = registry.variant("home.live_position", str(user_id))
                await do_expose(s, a, str(user_id), seen, user_id=user_id)
                spent = int(rng.poisson(2000)) if rng.random() < 0.3 else 0
                if spent:
                    await record(s, "purchase", user_id=user_id, order_id=user_id, value=spent)
                gmv[str(a.variant)].append(spent)
            other = "control" if a.variant == "treatment" else "treatment"
            await do_expose(s, Assignment(a.key, other, None, True, a.experiment_id), "200", seen)
        async with rt.db.read() as s:
            return await mixed_units(s, a.experiment_id)

    assert client.portal.call(scenario) == ["200"]  # type: ignore[union-attr]
    r = operator.get("/api/experiments/home.live_position/results")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mixed_units"] == 1 and body["mixed_examples"] == ["200"]
    gmv[str(registry.variant("home.live_position", "200").variant)].pop()  # 200 is left out
    result = {m["key"]: m for m in body["metrics"]}["gmv_per_shopper"]
    expected = sps.ttest_ind(gmv["treatment"], gmv["control"], equal_var=False)
    assert body["units"] == [len(gmv["control"]), len(gmv["treatment"])]
    assert result["means"] == pytest.approx([np.mean(gmv["control"]), np.mean(gmv["treatment"])])
    assert result["p"][0] == pytest.approx(expected.pvalue)
    assert body["srm"] is False and body["guardrails"][0]["metric"] == "refund_rate"
    days = operator.get(
        "/api/experiments/home.live_position/daily", params={"metric": "gmv_per_shopper"}
    ).json()
    assert [d["day"] for d in days] == [1] and days[0]["units"] == body["units"]
    assert days[0]["ci"][0] == pytest.approx(result["ci"][0])


def test_power_calculator(make_user: Callable[..., Api]) -> None:
    operator = make_user("operator")
    r = operator.post("/api/experiments/power", json={"sd": 1, "mde": 0.2, "units_per_day": 100})
    assert r.json() == {"units": 785, "days": 8}
    assert_problem(operator.post("/api/experiments/power", json={"sd": 1, "mde": 0}), 422)
    tiny = {"sd": 1e15, "mde": 1e-300}
    assert (
        "more than"
        in assert_problem(operator.post("/api/experiments/power", json=tiny), 422)["detail"]
    )


def test_a_harmed_guardrail_stops_the_experiment(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator = make_user("operator")
    variants = [{"key": "control", "weight": 5000}, {"key": "treatment", "weight": 5000}]
    body = definition(variants=variants, metrics=["gmv_per_shopper"])
    assert operator.post("/api/experiments", json=body).status_code == 201
    operator.post("/api/experiments/home.live_position/start")
    rt = runtime_of(client.app)
    registry: Registry = rt.services["experiments"]
    rng = np.random.default_rng(12)

    async def scenario() -> list[str]:
        seen = Seen()
        async with rt.db.write() as s:
            for user_id in range(1, 301):
                a = registry.variant("home.live_position", str(user_id))
                await do_expose(s, a, str(user_id), seen, user_id=user_id)
                await record(s, "purchase", user_id=user_id, order_id=user_id, value=1000)
                refunds = rng.random() < (0.5 if a.variant == "treatment" else 0.05)
                if refunds:
                    await record(s, "refund", user_id=user_id, order_id=user_id, value=1000)
        return await check_guardrails(rt)

    assert client.portal.call(scenario) == ["home.live_position"]  # type: ignore[union-attr]
    stopped = operator.get("/api/experiments/home.live_position").json()
    assert stopped["status"] == "killed"
    assert stopped["decision_reason"].startswith("automatic stop: guardrail refund_rate")
    assert registry.variant("home.live_position", "1") == registry.default("home.live_position")
    audit = operator.get("/api/operator/audit", params={"action": "experiment."}).json()
    assert audit[0]["action"] == "experiment.guardrail_stop"


def test_callers_are_units_only_of_their_own_kind(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator, shopper = make_user("operator"), make_user()
    for key, unit_type in (("app.onboarding", "device"), ("boost.multiplier", "host")):
        body = definition(key, unit_type=unit_type, layer=key, metrics=[], guardrails=[])
        assert operator.post("/api/experiments", json=body).status_code == 201
        operator.post(f"/api/experiments/{key}/start")
    operator.post("/api/experiments", json=definition())
    operator.post("/api/experiments/home.live_position/start")

    def ask(key: str, **kw: Any) -> dict[str, Any]:
        return dict(client.get("/api/variants", params={"keys": [key]}, **kw).json()[0])

    assert not ask("app.onboarding")["in_experiment"]  # no device id: the default
    client.cookies.set("hawker_device", "d-1")
    assert ask("app.onboarding")["in_experiment"]
    assert not ask("home.live_position")["in_experiment"]  # shopper experiment, logged out
    assert variant_of(shopper)["in_experiment"]
    assert not variant_of(shopper, "boost.multiplier")["in_experiment"]  # hosts are asked for
    assert variant_of(shopper, "nope") == {
        "key": "nope",
        "variant": None,
        "value": None,
        "in_experiment": False,
    }


def test_power_from_the_event_log_for_a_ratio_metric(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    """GMV per session: the calculator measures the ratio's linearised spread on the last
    days of the log, computed here by the textbook delta method."""
    operator = make_user("operator")
    rt = runtime_of(client.app)
    rng = np.random.default_rng(13)
    sessions = rng.integers(1, 6, 60).astype(np.float64)
    gmv = (rng.poisson(800, 60) * (rng.random(60) < 0.4)).astype(np.float64)

    async def scenario() -> None:
        async with rt.db.write() as s:
            for user_id in range(60):
                for _ in range(int(sessions[user_id])):
                    await record(s, "room.join", user_id=user_id + 1, show_id=1)
                if gmv[user_id]:
                    await record(s, "purchase", user_id=user_id + 1, value=int(gmv[user_id]))

    client.portal.call(scenario)  # type: ignore[union-attr]
    body = {"metric": "gmv_per_session", "days": 7, "mde_rel": 0.05}
    r = operator.post("/api/experiments/power/baseline", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    ratio = gmv.sum() / sessions.sum()
    sd = np.std((gmv - ratio * sessions) / sessions.mean(), ddof=1)
    assert out["mean"] == pytest.approx(ratio) and out["sd"] == pytest.approx(sd)
    assert out["active_units"] == 60 and out["units_per_day"] == pytest.approx(60 / 7)
    assert out["units"] == stats.sample_size(sd, 0.05 * ratio)
    assert out["days"] == int(np.ceil(out["units"] / (60 / 7)))
    quantile = {**body, "metric": "watch_ms_p90"}
    assert_problem(operator.post("/api/experiments/power/baseline", json=quantile), 422)


def test_targeting_reads_the_caller(make_user: Callable[..., Api]) -> None:
    operator, shopper = make_user("operator"), make_user()
    rules = {"countries": ["SG"], "shopper": "new", "min_app_version": "2.0"}
    body = definition(targeting=rules, metrics=[], guardrails=[])
    assert operator.post("/api/experiments", json=body).status_code == 201
    operator.post("/api/experiments/home.live_position/start")

    def inside(**headers: str) -> bool:
        r = shopper.get("/api/variants", params={"keys": ["home.live_position"]}, headers=headers)
        return bool(r.json()[0]["in_experiment"])

    assert inside(**{"X-Country": "sg", "X-App-Version": "2.3.1"})
    assert not inside(**{"X-Country": "MY", "X-App-Version": "2.3.1"})
    assert not inside(**{"X-Country": "SG", "X-App-Version": "1.9"})
    assert not inside(**{"X-Country": "SG"})
    assert_problem(
        operator.post("/api/experiments", json=definition("x", targeting={"planet": "mars"})), 422
    )
