"""Analysis over DuckDB against per-unit values computed independently here from the raw rows:
only events after each unit's first exposure count, units without events count as zeros,
ratio metrics use the delta method, CUPED reads the pre-period, mixed units are left out and
a broken split is flagged."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import numpy as np
import pytest
from scipy import stats as sps

from hawker.experiments import analysis, stats
from hawker.experiments.analysis import Design, analyse, daily
from hawker.experiments.metrics import METRICS

START = datetime(2026, 11, 1)
UNTIL = START + timedelta(days=7)


def log(
    rows: list[tuple[object, ...]], exposures: list[tuple[int, int, datetime]]
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        'CREATE TABLE events (type VARCHAR, unit BIGINT, "at" TIMESTAMP, value BIGINT, '
        "order_id BIGINT, section VARCHAR)"
    )
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE exposures (unit BIGINT, arm INTEGER, first_at TIMESTAMP)")
    con.executemany("INSERT INTO exposures VALUES (?, ?, ?)", exposures)
    return con


@pytest.fixture
def market() -> tuple[duckdb.DuckDBPyConnection, dict[str, np.ndarray]]:
    """400 shoppers in two arms; sessions, GMV and a pre-period that predicts GMV."""
    rng = np.random.default_rng(21)
    rows: list[tuple[object, ...]] = []
    exposures = []
    truth: dict[str, list[float]] = {k: [] for k in ("arm", "gmv", "sessions", "pre")}
    order = 0
    for unit in range(1, 401):
        arm = unit % 2
        seen = START + timedelta(hours=int(rng.integers(1, 48)))
        exposures.append((unit, arm, seen))
        taste = rng.gamma(2, 500)
        pre = int(rng.poisson(taste))
        if pre:
            rows.append(("purchase", unit, START - timedelta(days=3), pre, 0, None))
        sessions = int(rng.poisson(3))
        for _ in range(sessions):
            rows.append(("room.join", unit, seen + timedelta(hours=1), 0, None, None))
        gmv = int(rng.poisson(taste * (1.2 if arm else 1.0))) if rng.random() < 0.5 else 0
        if gmv:
            order += 1
            rows.append(("purchase", unit, seen + timedelta(hours=2), gmv, order, None))
        # before exposure: never counted
        rows.append(("purchase", unit, seen - timedelta(minutes=1), 999_999, None, None))
        truth["arm"].append(arm)
        truth["gmv"].append(gmv)
        truth["sessions"].append(sessions)
        truth["pre"].append(pre)
    return log(rows, exposures), {k: np.array(v, dtype=np.float64) for k, v in truth.items()}


def test_per_unit_means_and_ratios_match_an_independent_computation(
    market: tuple[duckdb.DuckDBPyConnection, dict[str, np.ndarray]],
) -> None:
    con, t = market
    design = Design(["control", "treatment"], [1, 1], START, UNTIL)
    keys = ["gmv_per_shopper", "gmv_per_session", "live_entries"]
    results = analyse(con, [METRICS[k] for k in keys], design, cuped=False)
    by_key = {m.key: m for m in results.metrics}
    c, x = t["arm"] == 0, t["arm"] == 1
    gmv = by_key["gmv_per_shopper"]
    expected = sps.ttest_ind(t["gmv"][x], t["gmv"][c], equal_var=False)
    assert gmv.means == pytest.approx([t["gmv"][c].mean(), t["gmv"][x].mean()])
    assert gmv.p[0] == pytest.approx(expected.pvalue)
    assert results.units == [200, 200] and not results.srm and results.mixed_units == 0

    ratio = by_key["gmv_per_session"]
    r_c = t["gmv"][c].sum() / t["sessions"][c].sum()
    r_t = t["gmv"][x].sum() / t["sessions"][x].sum()
    assert ratio.means == pytest.approx([r_c, r_t])

    def delta_var(num: np.ndarray, den: np.ndarray) -> float:  # the textbook form
        r, n = num.sum() / den.sum(), len(num)
        cov = np.cov(num, den)
        return float((cov[0, 0] - 2 * r * cov[0, 1] + r**2 * cov[1, 1]) / den.mean() ** 2 / n)

    se = np.sqrt(
        delta_var(t["gmv"][x], t["sessions"][x]) + delta_var(t["gmv"][c], t["sessions"][c])
    )
    low, high = ratio.ci[0]
    assert (high - low) / 2 == pytest.approx(se * sps.t.ppf(0.975, 397), rel=0.01)
    assert by_key["live_entries"].means == pytest.approx(
        [t["sessions"][c].mean(), t["sessions"][x].mean()]
    )
    orders = analyse(con, [METRICS["orders_per_shopper"]], design).metrics[0]  # its own pass
    bought = (t["gmv"] > 0).astype(np.float64)
    assert orders.means == pytest.approx([bought[c].mean(), bought[x].mean()])
    raw = np.array([by_key[k].p[0] for k in keys])
    assert [by_key[k].p_adjusted[0] for k in keys] == pytest.approx(list(stats.holm(raw)))


def test_cuped_uses_the_pre_period_and_narrows_the_interval(
    market: tuple[duckdb.DuckDBPyConnection, dict[str, np.ndarray]],
) -> None:
    con, t = market
    design = Design(["control", "treatment"], [1, 1], START, UNTIL)
    plain = analyse(con, [METRICS["gmv_per_shopper"]], design, cuped=False).metrics[0]
    adjusted = analyse(con, [METRICS["gmv_per_shopper"]], design).metrics[0]
    theta = np.cov(t["gmv"], t["pre"])[0, 1] / t["pre"].var(ddof=1)
    assert adjusted.cuped_theta == pytest.approx(theta)
    assert adjusted.ci[0][1] - adjusted.ci[0][0] < plain.ci[0][1] - plain.ci[0][0]


def test_mixed_units_are_left_out_and_a_broken_split_is_flagged() -> None:
    exposures = [(u, 0, START) for u in range(1, 601)] + [(u, 1, START) for u in range(601, 1001)]
    exposures.append((5, 1, START))  # unit 5 saw both arms
    con = log([("room.join", 5, START, 0, None, None)], exposures)
    design = Design(["a", "b"], [1, 1], START, UNTIL)
    results = analyse(con, [METRICS["live_entries"], METRICS["watch_ms_p50"]], design)
    assert results.mixed_units == 1 and results.units == [599, 400]
    assert results.metrics[0].means == [0.0, 0.0]  # unit 5's session is not counted anywhere
    assert results.srm and results.srm_p < 1e-9


def test_daily_cumulative_results_grow_to_the_full_analysis(
    market: tuple[duckdb.DuckDBPyConnection, dict[str, np.ndarray]],
) -> None:
    con, _ = market
    design = Design(["control", "treatment"], [1, 1], START, UNTIL)
    days = daily(con, METRICS["gmv_per_session"], design)
    assert [d.day for d in days] == list(range(1, 8))
    exposed_by_day_1 = con.execute(
        "SELECT count(*) FROM exposures WHERE first_at < ?", [START + timedelta(days=1)]
    ).fetchone()
    assert exposed_by_day_1 is not None and sum(days[0].units) == exposed_by_day_1[0]
    assert sum(days[-1].units) == 400
    full = analyse(con, [METRICS["gmv_per_session"]], design).metrics[0]
    assert days[-1].rel == pytest.approx(full.rel)
    assert days[-1].ci[0] == pytest.approx(full.ci[0])
    seq = [d.seq_p[0] for d in days]
    assert seq == sorted(seq, reverse=True)  # the always-valid p only ever falls


def test_an_arm_without_a_p_keeps_its_place_among_the_adjusted_ps() -> None:
    """Early on every arm may have fewer than two units: no p anywhere, and still one
    adjusted p (null) per treatment arm, as clients index them by arm."""
    m = stats.moments(np.array([3.0, 5.0, 4.0]), np.array([0, 1, 2]), 3)
    result = analysis._comparison(METRICS["gmv_per_shopper"], stats.welch(m), m)
    analysis._correct([result], "holm")
    assert len(result.p_adjusted) == 2 and np.isnan(result.p_adjusted).all()
