"""Two-sided randomization: pair assignment (independent sides, shares, stickiness, the API's
validation) and the TSR estimators against numbers worked out by hand, two markets solved in
closed form, and a Monte Carlo check of the bootstrap's standard error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import stats as sps

from hawker.experiments import assignment
from hawker.experiments import two_sided as ts
from hawker.experiments.registry import Registry
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem
from tests.experiments.test_registry import experiment

UNITS = [str(i) for i in range(1, 20_001)]


def table(treated: int, traffic: int = assignment.BUCKETS) -> list[list[int]]:
    alloc = assignment.reallocate(None, [assignment.BUCKETS - treated, treated], traffic)
    return [list(r) for r in assignment.to_runs(alloc)]


def pair_registry(holdout: int = 0, **extra: Any) -> Registry:
    r = Registry(holdout_buckets=holdout)
    values = {"unit_type": "pair", "allocation": table(3000)} | extra
    r.load([experiment(**values)], {1: "layer"}, 1)
    return r


def sides(r: Registry, units: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's side as a shopper and as a host (treated: drew the treatment)."""
    pair = r.entries["room.deal_banner"].pair
    assert pair is not None
    shopper = np.array([pair.shopper.arm(u.encode()) == 1 for u in units])
    hosts = np.array([pair.host_arm(u.encode()) == 1 for u in units])
    return shopper, hosts


def test_pair_sides_are_independent_draws_with_the_treatment_share() -> None:
    r = pair_registry()
    shopper, host = sides(r, UNITS)
    # each side treated with the treatment weight (30 %), the same id independently per side
    assert sps.binomtest(int(shopper.sum()), len(UNITS), 0.3).pvalue > 0.001
    assert sps.binomtest(int(host.sum()), len(UNITS), 0.3).pvalue > 0.001
    table2 = np.histogram2d(shopper, host, bins=2)[0]
    assert sps.chi2_contingency(table2).pvalue > 0.001
    # a pair is treated exactly when both of its sides are: 9 % of pairs
    rng = np.random.default_rng(1)
    s_idx, h_idx = rng.integers(0, len(UNITS), (2, 5000))
    answers = [
        r.pair_variant("room.deal_banner", UNITS[s], UNITS[h])
        for s, h in zip(s_idx, h_idx, strict=True)
    ]
    treated = np.array([a.variant == "bold" for a in answers])
    assert (treated == (shopper[s_idx] & host[h_idx])).all()
    assert all(a.in_experiment for a in answers)
    # the shopper side is not the plain shopper assignment of the same salt
    plain = assignment.Compiled(assignment.Hasher("s1"), assignment.from_runs(table(3000)))
    same = np.array([plain.arm(u.encode()) == 1 for u in UNITS])
    assert sps.chi2_contingency(np.histogram2d(same, shopper, bins=2)[0]).pvalue > 0.001


def test_pair_assignment_is_sticky_and_served_only_by_pair_variant() -> None:
    first, again = pair_registry(), pair_registry()  # another process, same definitions
    pairs = [(UNITS[i], UNITS[-i - 1]) for i in range(3000)]
    answers = [first.pair_variant("room.deal_banner", s, h) for s, h in pairs]
    assert answers == [again.pair_variant("room.deal_banner", s, h) for s, h in pairs]
    # ramping traffic up keeps every side that was in the experiment where it was
    small = pair_registry(allocation=table(3000, traffic=4000))
    grown = assignment.reallocate(assignment.from_runs(table(3000, 4000)), [7000, 3000], 10_000)
    big = pair_registry(allocation=[list(r) for r in assignment.to_runs(grown)])
    before = [small.pair_variant("room.deal_banner", s, h) for s, h in pairs]
    after = [big.pair_variant("room.deal_banner", s, h) for s, h in pairs]
    kept = [b == a for b, a in zip(before, after, strict=True) if b.in_experiment]
    assert 0.1 * len(pairs) < len(kept) < 0.3 * len(pairs) and all(kept)  # 0.4 x 0.4 inside
    # variant() never hashes a pair experiment's unit as if it were one side
    assert {first.variant("room.deal_banner", u) for u in UNITS[:500]} == {
        first.default("room.deal_banner")
    }
    assert not first.pair_variant("nope", "1", "2").in_experiment


def test_holdout_and_targeting_apply_to_the_shopper() -> None:
    r = pair_registry(holdout=500)
    out = {s for s in UNITS[:4000] if not r.pair_variant("room.deal_banner", s, "7").in_experiment}
    assert out == {s for s in UNITS[:4000] if r.in_holdout(s)} and 150 < len(out) < 250
    allowed = pair_registry(targeting={"allow": ["5"]})
    assert allowed.pair_variant("room.deal_banner", "5", "6").in_experiment
    assert not allowed.pair_variant("room.deal_banner", "6", "5").in_experiment
    stopped = pair_registry(status="stopped", shipped="bold")
    assert stopped.pair_variant("room.deal_banner", "1", "2") == stopped.default("room.deal_banner")


def test_a_pair_experiment_has_exactly_two_variants(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator = make_user("operator")
    body = {
        "key": "room.host_badge",
        "title": "A badge on hosts, shown to shoppers",
        "unit_type": "pair",
        "variants": [
            {"key": "off", "weight": 4000},
            {"key": "on", "weight": 3000},
            {"key": "big", "weight": 3000},
        ],
    }
    assert (
        "two variants"
        in assert_problem(operator.post("/api/experiments", json=body), 422)["detail"]
    )
    body["variants"] = [{"key": "off", "weight": 5000}, {"key": "on", "weight": 5000}]
    assert operator.post("/api/experiments", json=body).status_code == 201
    three = {"variants": [{"key": "a", "weight": 5000}, {"key": "b", "weight": 2500},
                          {"key": "c", "weight": 2500}]}  # fmt: skip
    assert_problem(operator.patch("/api/experiments/room.host_badge", json=three), 422)
    assert operator.post("/api/experiments/room.host_badge/start").status_code == 200
    registry = Registry()
    client.portal.call(registry.refresh, runtime_of(client.app).db)  # type: ignore[union-attr]
    answers = {
        registry.pair_variant("room.host_badge", str(s), f"h{s}").variant for s in range(400)
    }
    assert answers == {"off", "on"}


def test_cell_rates_and_estimators_match_a_hand_computation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # shoppers 0, 1 treated, 2, 3 control; host 0 treated, hosts 1, 2 control (a_L = 1/3)
    pairs = ts.Pairs(
        shopper_treated=np.array([True, True, False, False]),
        host_treated=np.array([True, False, False]),
        shopper=np.array([0, 1, 0, 0, 2, 3, 2, 3]),
        host=np.array([0, 0, 1, 2, 0, 1, 2, 2]),
        value=np.array([3.0, 1, 2, 2, 1, 1, 4, 1]),
    )
    # Y[i, j] = cell total / (shoppers on side i x share of hosts on side j)
    # Y11 = (3+1)/(2 x 1/3) = 6; Y10 = (2+2)/(2 x 2/3) = 3; Y01 = 1/(2/3) = 1.5;
    # Y00 = (1+4+1)/(4/3) = 4.5
    rates = ts.cell_rates(pairs)[0]
    np.testing.assert_allclose(rates, [[4.5, 1.5], [3.0, 6.0]])
    assert ts.tsrn(rates) == pytest.approx(6 - 4.5)
    # beta 0.25, k 1: shopper side 6 - 1.5 - (4.5 - 3) = 3; host side 6 - 3 - (4.5 - 1.5) = 0
    assert ts.tsri(rates, 1, 0.25) == pytest.approx(0.25 * 3 + 0.75 * 0)
    # k 2: shopper side 6 - 1.5 - 3 = 1.5; host side 6 - 3 - 6 = -3
    assert ts.tsri(rates, 2, 0.25) == pytest.approx(0.25 * 1.5 + 0.75 * -3)
    result = ts.analyse(pairs, relative_demand=np.log(4))  # beta = exp(-ln 4) = 0.25
    assert result.beta == pytest.approx(0.25) and result.shares == pytest.approx((0.5, 1 / 3))
    assert result.estimates["tsri-1"].value == pytest.approx(0.75)
    assert result.estimates["tsri-2"].value == pytest.approx(-1.875)
    # the bootstrap in chunks of one replicate (bounded memory) still estimates a spread
    monkeypatch.setattr(ts, "WEIGHTS_IN_MEMORY", 7)
    chunked = ts.analyse(pairs, np.log(4), replicates=50).estimates["tsri-1"]
    assert chunked.value == pytest.approx(0.75) and 0 < chunked.se < np.inf
    # the same rows split into pieces (duplicates) are the same data
    split = ts.Pairs(
        pairs.shopper_treated,
        pairs.host_treated,
        np.concatenate([pairs.shopper, [0]]),
        np.concatenate([pairs.host, [0]]),
        np.concatenate([pairs.value - np.eye(8)[0], [1.0]]),
    )
    np.testing.assert_allclose(ts.cell_rates(split)[0], rates)


def test_each_bracket_is_unbiased_in_its_limit_on_markets_solved_by_hand() -> None:
    # Demand-constrained (unlimited stock): multinomial logit, N hosts of weight v (N v = 1),
    # outside option 1, a treated pair weighs 2 v; half the shoppers, half the hosts treated.
    # A treated shopper buys a treated host's unit with 1 / (1 + 0.5 + 1) = 0.4, a control
    # one's with 0.5 / 2.5 = 0.2; a control shopper buys 0.25 from each half. Scaled by the
    # host share: Y11 = 0.8, Y10 = 0.4, Y01 = Y00 = 0.5. Truth: 2/3 (all treated) - 1/2.
    demand = np.array([[0.5, 0.5], [0.4, 0.8]])
    truth = 2 / 3 - 1 / 2
    assert ts.tsrn(demand) == pytest.approx(0.3)  # biased by a treated shopper's switching
    assert ts.tsri(demand, 1, 1.0) == pytest.approx(0.2)  # the shopper-side bracket
    assert abs(ts.tsri(demand, 1, 1.0) - truth) < abs(ts.tsrn(demand) - truth) / 3
    # Supply-constrained: every unit sells whatever the design (truth 0); a unit goes to a
    # treated pair's shopper with twice the weight. A treated host's units: 2/3 to treated
    # shoppers, 1/3 to control; a control host's: half each. Per unit of stock, scaled by
    # the cell's shares (1/4): Y11 = 4/3, Y01 = 2/3, Y10 = Y00 = 1.
    supply = np.array([[1.0, 2 / 3], [1.0, 4 / 3]])
    assert ts.tsrn(supply) == pytest.approx(1 / 3)
    assert ts.tsri(supply, 1, 0.0) == pytest.approx(0.0)  # the host-side bracket, exactly
    assert ts.beta_for(0) == 1.0 and ts.beta_for(50) < 1e-20
    with pytest.raises(ValueError):
        ts.beta_for(-1)


def test_bootstrap_standard_error_matches_the_spread_over_rerandomisations() -> None:
    """No interference here (outcomes are fixed per pair and treated pairs gain 30 %), so
    every estimator targets the truth; over re-randomisations of the same population the
    pigeonhole bootstrap's SE should match the estimates' spread (or exceed it a little) and
    its intervals cover the truth about 95 % of the time."""
    rng = np.random.default_rng(7)
    n, m, per, lift = 1000, 50, 5, 0.3
    shopper = np.repeat(np.arange(n), per)
    host = rng.integers(0, m, n * per)
    base = np.exp(rng.normal(0, 0.5, n)[shopper] + rng.normal(0, 0.5, m)[host])
    base *= rng.exponential(1, n * per)
    truth = base.sum() * lift / n
    values, ses, covered = [], [], []
    for run in range(100):
        draw = np.random.default_rng([run])
        s_side, h_side = draw.random(n) < 0.5, draw.random(m) < 0.5
        value = base * (1 + lift * (s_side[shopper] & h_side[host]))
        res = ts.analyse(ts.Pairs(s_side, h_side, shopper, host, value), 1.0, replicates=200)
        est = res.estimates["tsri-1"]
        values.append(est.value)
        ses.append(est.se)
        covered.append(est.ci[0] <= truth <= est.ci[1])
    ratio = np.median(ses) / np.std(values)
    assert 0.9 < ratio < 1.4, ratio
    assert abs(np.mean(values) - truth) < 3 * np.std(values) / np.sqrt(len(values))
    assert np.mean(covered) >= 0.9


def test_pairs_are_validated() -> None:
    yes, mixed = np.array([True, True]), np.array([True, False])
    one = np.array([0])
    with pytest.raises(ValueError, match="treated and control"):
        ts.Pairs(yes, mixed, one, one, np.array([1.0]))
    with pytest.raises(ValueError, match="outside"):
        ts.Pairs(mixed, mixed, np.array([2]), one, np.array([1.0]))
    with pytest.raises(ValueError, match="one entry"):
        ts.Pairs(mixed, mixed, one, one, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="alpha"):
        ts.analyse(ts.Pairs(mixed, mixed, one, one, np.array([1.0])), 1.0, alpha=1)
