"""Experiment analysis benchmark: one experiment, 3 variants, 10 metrics (5 ratio metrics, a
quantile, CUPED on every mean and ratio) over N events (default 10 million) in DuckDB, and
sticky assignment in one process.

Ceilings measured in the same run: a bare DuckDB pass that groups the same events by unit
(one scan, no join, no metric), and the bare keyed hash that assignment is built on. The
last line printed is one JSON object.

    python bench/experiment_analysis.py --events 10000000 --units 1000000
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta

import duckdb

from hawker.experiments import assignment
from hawker.experiments.analysis import Design, analyse
from hawker.experiments.metrics import METRICS
from hawker.experiments.models import Experiment
from hawker.experiments.registry import Registry

START = datetime(2026, 11, 1)
KEYS = [
    "gmv_per_shopper",
    "conversion",
    "orders_per_shopper",
    "live_entries",
    "gmv_per_session",
    "watch_ms_per_session",
    "home_live_ctr",
    "chats_per_viewer",
    "refund_rate",
    "watch_ms_p90",
]


def make_data(con: duckdb.DuckDBPyConnection, events: int, units: int) -> None:
    """A synthetic event log over 14 days before and 14 days after the start, with a small
    effect of arm 2 on purchases; every unit is exposed once during the first week."""
    con.execute("SELECT setseed(0.42)")
    con.execute(
        f"""
        CREATE TABLE exposures AS
        SELECT i AS unit, CAST(i % 3 AS INTEGER) AS arm,
               TIMESTAMP '{START}' + to_seconds(CAST(random() * 7 * 86400 AS BIGINT)) AS first_at
        FROM range(1, {units} + 1) t(i)
        """
    )
    con.execute(
        f"""
        CREATE TABLE events AS
        WITH r AS (
            SELECT 1 + CAST(floor(random() * {units}) AS BIGINT) AS unit, random() AS k,
                   random() AS v, random() AS w, i
            FROM range({events}) t(i)
        ), typed AS (
            SELECT *, CASE
                WHEN k < 0.30 THEN 'room.join' WHEN k < 0.58 THEN 'room.leave'
                WHEN k < 0.70 THEN 'chat' WHEN k < 0.82 THEN 'section.impression'
                WHEN k < 0.90 THEN 'section.click'
                WHEN k < 0.975 - CAST(unit % 3 = 2 AS INTEGER) * 0.002 THEN 'product.view'
                WHEN k < 0.995 THEN 'purchase' ELSE 'refund' END AS type
            FROM r
        )
        SELECT type, unit,
               TIMESTAMP '{START}' + to_seconds(CAST((v - 0.5) * 28 * 86400 AS BIGINT)) AS at,
               CAST(CASE WHEN type = 'room.leave' THEN 1000 + w * 600000
                         WHEN type IN ('purchase', 'refund') THEN 500 + w * 20000
                         WHEN type LIKE 'section.%' THEN 1  -- the views (clicks) it counts
                         ELSE 0 END AS BIGINT) AS value,
               CAST(i AS BIGINT) AS order_id,
               CASE WHEN type LIKE 'section.%' THEN 'home.live' END AS section
        FROM typed
        """
    )


def bench_analysis(events: int, units: int) -> tuple[float, float, float]:
    con = duckdb.connect()
    make_data(con, events, units)
    t0 = time.perf_counter()
    con.execute("SELECT unit, count(*), sum(value) FROM events GROUP BY unit").fetchnumpy()
    ceiling = time.perf_counter() - t0
    design = Design(["control", "b", "c"], [1, 1, 1], START, START + timedelta(days=14))
    t0, cpu0 = time.perf_counter(), time.process_time()
    results = analyse(con, [METRICS[k] for k in KEYS], design)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(f"{'metric':24} {'kind':9} {'c mean':>12} {'rel lift c':>11} {'p (adj)':>9}")
    for m in results.metrics:
        rel, p = m.rel[-1], m.p_adjusted[-1] if m.p_adjusted else float("nan")
        print(f"{m.key:24} {m.kind:9} {m.means[-1]:12.2f} {rel:+11.4f} {p:9.4f}")
    print(f"units per arm {results.units}, SRM p {results.srm_p:.3f}")
    return seconds, cpu, ceiling


def bench_registry() -> Registry:
    """A registry with one running experiment of three variants in a shared layer (half of
    it) and a 1 % holdout: the worst realistic path, for the benchmark."""
    e = Experiment(
        id=1,
        key="home.live_position",
        unit_type="shopper",
        status="running",
        salt="bench",
        layer_id=1,
        layer_slice=[[0, 5000, 1]],
        allocation=[
            list(r)
            for r in assignment.to_runs(
                assignment.reallocate(None, [3334, 3333, 3333], assignment.BUCKETS)
            )
        ],
        variants=[{"key": k, "value": k} for k in ("top", "middle", "hidden")],
        targeting={},
        holdout=True,
        shipped=None,
    )
    registry = Registry(holdout_buckets=100)
    registry.load([e], {1: "bench-layer"}, 1)
    return registry


def bench_assignment(n: int) -> tuple[float, float, float]:
    registry: Registry = bench_registry()
    units = [str(i) for i in range(n)]
    variant = registry.variant
    t0, cpu0 = time.perf_counter(), time.process_time()
    for u in units:
        variant("home.live_position", u)
    per_s, per_cpu_s = n / (time.perf_counter() - t0), n / (time.process_time() - cpu0)
    hasher = assignment.Hasher("ceiling")
    t0 = time.perf_counter()
    for u in units:
        hasher.bucket(u)
    return per_s, per_cpu_s, n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--assignments", type=int, default=1_000_000)
    args = parser.parse_args()
    seconds, cpu, ceiling = bench_analysis(args.events, args.units)
    assign_per_s, assign_per_cpu_s, hash_per_s = bench_assignment(args.assignments)
    print()
    print(f"{'step':40} {'wall':>12} {'CPU':>12} {'ceiling (wall)':>15}")
    events = format(args.events, ",")
    print(
        f"{'analysis of ' + events + ' events (s)':40} {seconds:12.2f} {cpu:12.2f} {ceiling:15.2f}"
    )
    print(
        f"{'assignments per second (variant())':40} {assign_per_s:12,.0f} "
        f"{assign_per_cpu_s:12,.0f} {hash_per_s:15,.0f}"
    )
    print(
        json.dumps(
            {
                "events": args.events,
                "units": args.units,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu, 3),
                "events_per_s": round(args.events / seconds),
                "ceiling_seconds": round(ceiling, 3),
                "assign_per_s": round(assign_per_s),
                "assign_per_cpu_s": round(assign_per_cpu_s),
                "hash_per_s": round(hash_per_s),
            }
        )
    )


if __name__ == "__main__":
    main()
