"""Assignment: deterministic buckets, sticky tables when weights and traffic change, layers
that exclude within and overlap across, targeting rules."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from hawker.experiments import assignment as a
from hawker.experiments.targeting import Context, Rules, compile_rules

UNITS = [str(i) for i in range(1, 50_001)]


def test_buckets_are_deterministic_uniform_and_independent_across_salts() -> None:
    one, two = a.Hasher("exp-1"), a.Hasher("exp-2")
    b1 = np.array([one.bucket(u) for u in UNITS])
    assert [a.bucket("exp-1", u) for u in UNITS[:100]] == list(b1[:100])  # no state, any process
    b2 = np.array([two.bucket(u) for u in UNITS])
    assert sps.chisquare(np.bincount(b1 // 100, minlength=100)).pvalue > 0.001
    table = np.histogram2d(b1 < 5000, b2 < 5000, bins=2)[0]
    assert sps.chi2_contingency(table).pvalue > 0.001  # halves of one salt split the other's


def test_targets_split_traffic_by_weight_and_add_up() -> None:
    assert a.targets([1, 1, 1], 10_000) == [3334, 3333, 3333]
    assert a.targets([5000, 5000], 1000) == [500, 500]
    assert sum(a.targets([7, 2, 1], 999)) == 999


def test_ramping_up_keeps_every_assigned_unit_in_its_variant() -> None:
    small = a.reallocate(None, [1, 1], 1000)
    big = a.reallocate(small, [1, 1], 5000)
    assert a.counts(big, 2) == [2500, 2500]
    assert all(big[b] == v for b, v in enumerate(small) if v < a.RETIRED)


def test_reweighting_retires_buckets_rather_than_switching_their_units() -> None:
    half = a.reallocate(None, [1, 1], 5000)
    skewed = a.reallocate(half, [3, 7], 5000)
    assert a.counts(skewed, 2) == [1500, 3500]
    moved = [(half[b], skewed[b]) for b in range(a.BUCKETS) if half[b] != skewed[b]]
    assert {(0, a.RETIRED), (a.FREE, 1)} == set(moved)  # A's extra units leave; B grows anew


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 9), min_size=3, max_size=3), st.integers(0, 10_000)),
        min_size=1,
        max_size=5,
    )
)
def test_no_unit_switches_variant_while_unused_buckets_remain(
    steps: list[tuple[list[int], int]],
) -> None:
    table = None
    for weights, traffic in steps:
        if sum(weights) == 0:
            continue
        new = a.reallocate(table, weights, traffic)
        assert a.counts(new, 3) == a.targets(weights, traffic)
        if table is not None and a.FREE in new:
            assert not any(
                table[b] < a.RETIRED and new[b] < a.RETIRED and table[b] != new[b]
                for b in range(a.BUCKETS)
            )
        assert a.from_runs(a.to_runs(new)) == new
        table = new


def test_a_layer_keeps_its_experiments_apart_and_layers_overlap() -> None:
    first = a.claim_slice(bytes(a.BUCKETS), 5000)
    second = a.claim_slice(first, 5000)
    everyone = a.reallocate(None, [1, 1], a.BUCKETS)
    in_layer = [
        a.Compiled(a.Hasher(f"e{i}"), everyone, a.Hasher("layer-home"), mask)
        for i, mask in enumerate((first, second))
    ]
    other_layer = a.Compiled(a.Hasher("e9"), everyone)
    arms = [[e.arm(u.encode()) for u in UNITS[:20_000]] for e in (*in_layer, other_layer)]
    assert all((x is None) != (y is None) for x, y in zip(arms[0], arms[1], strict=True))
    table = np.zeros((2, 2))
    for x, z in zip(arms[0], arms[2], strict=True):
        table[int(x is None), int(z or 0)] += 1
    assert sps.chi2_contingency(table).pvalue > 0.001  # the other layer splits evenly inside
    taken = bytes(x | y for x, y in zip(first, second, strict=True))
    with pytest.raises(ValueError, match="0 free buckets"):
        a.claim_slice(taken, 1)


def test_targeting_rules() -> None:
    check = compile_rules(Rules(countries=["sg", "MY"], min_app_version="2.1", roles=["shopper"]))
    assert check is not None and compile_rules(Rules()) is None
    ok = Context(roles=frozenset({"shopper"}), country="SG", app_version="2.10.0")
    assert check("1", ok)
    assert not check("1", Context(roles=ok.roles, country="SG", app_version="2.0.9"))
    assert not check("1", Context(roles=ok.roles, country="US", app_version="3"))
    assert not check("1", Context(roles=ok.roles, country="SG", app_version="beta"))
    fans = compile_rules(Rules(follows_any_of=[7], shopper="new", allow=["1", "2"]))
    assert fans is not None
    assert fans("2", Context(follows=frozenset({7, 8}), new_shopper=True))
    assert not fans("3", Context(follows=frozenset({7}), new_shopper=True))
    assert not fans("2", Context(follows=frozenset({7}), new_shopper=False))


def test_switchback_units_are_time_slots() -> None:
    at = datetime(2026, 11, 29, 10, 59, 59)
    assert a.slot_unit(at, 3600) == a.slot_unit(datetime(2026, 11, 29, 10), 3600)
    assert a.slot_unit(at, 3600) != a.slot_unit(datetime(2026, 11, 29, 11), 3600)
    assert a.slot_unit(at, 3600, "beauty") == f"{a.slot_unit(at, 3600)}:beauty"
