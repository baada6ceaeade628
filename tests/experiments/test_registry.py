"""``variant()`` from the snapshot: holdout, targeting, stopped and killed experiments."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hawker.experiments import assignment
from hawker.experiments.models import Experiment
from hawker.experiments.registry import Registry
from hawker.experiments.targeting import Context

UNITS = [str(i) for i in range(1, 20_001)]


def experiment(**extra: Any) -> Experiment:
    values: dict[str, Any] = {
        "id": 1,
        "key": "room.deal_banner",
        "unit_type": "shopper",
        "status": "running",
        "salt": "s1",
        "layer_id": 1,
        "layer_slice": [[0, assignment.BUCKETS, 1]],
        "allocation": [
            list(r) for r in assignment.to_runs(assignment.reallocate(None, [1, 1], 10_000))
        ],
        "variants": [{"key": "plain", "value": 0}, {"key": "bold", "value": 1}],
        "targeting": {},
        "holdout": True,
        "shipped": None,
    }
    return Experiment(**(values | extra))


def registry(holdout: int = 0, **extra: Any) -> Registry:
    r = Registry(holdout_buckets=holdout)
    r.load([experiment(**extra)], {1: "layer"}, 1)
    return r


def test_the_global_holdout_keeps_its_share_out_of_shopper_experiments() -> None:
    r = registry(holdout=500)
    out = [u for u in UNITS if not r.variant("room.deal_banner", u).in_experiment]
    assert 0.04 < len(out) / len(UNITS) < 0.06
    assert all(r.in_holdout(u) for u in out)
    hosts = registry(holdout=500, unit_type="host")  # the holdout is of people only
    assert all(hosts.variant("room.deal_banner", u).in_experiment for u in UNITS[:2000])


def test_targeting_leaves_the_unmatched_with_the_default() -> None:
    r = registry(targeting={"countries": ["SG"]})
    assert not r.variant("room.deal_banner", "1").in_experiment  # nothing known: no match
    split = Counter(
        r.variant("room.deal_banner", u, Context(country="sg")).variant for u in UNITS[:4000]
    )
    assert 1800 < split["bold"] < 2200


def test_stopped_serves_the_shipped_variant_and_killed_the_control() -> None:
    shipped = registry(status="stopped", shipped="bold")
    answers = {shipped.variant("room.deal_banner", u) for u in UNITS[:1000]}
    assert answers == {shipped.default("room.deal_banner")}
    assert shipped.default("room.deal_banner").value == 1
    killed = registry(status="killed")
    assert {killed.variant("room.deal_banner", u).variant for u in UNITS[:1000]} == {"plain"}
    unknown = killed.variant("nope", "1")
    assert unknown.variant is None and not unknown.in_experiment
