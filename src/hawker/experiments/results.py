"""An experiment's results from the live database: its exposures and the event log of its
window are copied into an embedded DuckDB, analysed (``analysis``), and guardrails judged.

Shopper experiments join events on ``user_id``. Host, show, merchant and slot units (issue 7,
part 5) need their own event -> unit mapping; they get ``unit_events`` when those designs land.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.models import Event
from hawker.core.errors import Invalid
from hawker.experiments import stats
from hawker.experiments.analysis import (
    Day,
    Design,
    Results,
    analyse,
    as_dict,
    daily,
    unit_values,
)
from hawker.experiments.errors import NotStarted
from hawker.experiments.metrics import Metric, metric
from hawker.experiments.models import Experiment, Exposure

PRE_DAYS = 14


@dataclass(frozen=True)
class Guardrail:
    metric: str
    threshold: float
    harmed: bool


def _load(con: duckdb.DuckDBPyConnection, events: list[Any], exposures: list[Any]) -> None:
    """Columns go in as numpy arrays (DuckDB scans them in place; no row-by-row inserts)."""
    cols = list(zip(*events, strict=True)) or [()] * 6
    frame = {
        "type": np.array(cols[0], dtype=object),
        "unit": np.array(cols[1], dtype=np.int64),
        "at": np.array(cols[2], dtype="datetime64[us]"),
        "value": np.array(cols[3], dtype=np.int64),
        "order_id": np.array([o or 0 for o in cols[4]], dtype=np.int64),
        "section": np.array(cols[5], dtype=object),
    }
    con.register("event_frame", frame)
    con.execute(
        'CREATE TABLE events AS SELECT CAST(type AS VARCHAR) AS type, unit, "at", value, '
        "order_id, CAST(section AS VARCHAR) AS section FROM event_frame"
    )
    x = list(zip(*exposures, strict=True)) or [()] * 3
    con.register(
        "exposure_frame",
        {
            "unit": np.array(x[0], dtype=np.int64),
            "arm": np.array(x[1], dtype=np.int32),
            "first_at": np.array(x[2], dtype="datetime64[us]"),
        },
    )
    con.execute("CREATE TABLE exposures AS SELECT * FROM exposure_frame")


async def _events(
    s: AsyncSession, metrics: list[Metric], since: datetime, until: datetime
) -> list[Any]:
    types = {m.event for x in metrics for m in x.measures()}
    found = await s.execute(
        select(Event.type, Event.user_id, Event.at, Event.value, Event.order_id, Event.data).where(
            Event.type.in_(types), Event.at >= since, Event.at < until, Event.user_id.is_not(None)
        )
    )
    return [
        (t, u, at, v or 0, o, (d or {}).get("section") if isinstance(d, dict) else None)
        for t, u, at, v, o, d in found
    ]


async def _rows(
    s: AsyncSession, experiment: Experiment, metrics: list[Metric], since: datetime, until: datetime
) -> tuple[list[Any], list[Any]]:
    events = await _events(s, metrics, since, until)
    arms = {v["key"]: i for i, v in enumerate(experiment.variants)}
    exposures = [
        (int(unit), arms[variant], first_at)
        for unit, variant, first_at in await s.execute(
            select(Exposure.unit, Exposure.variant, Exposure.first_at).where(
                Exposure.experiment_id == experiment.id
            )
        )
        if unit.isdigit() and variant in arms
    ]
    return events, exposures


@asynccontextmanager
async def _loaded(
    s: AsyncSession, experiment: Experiment, metrics: list[Metric], now: datetime
) -> AsyncIterator[tuple[duckdb.DuckDBPyConnection, Design]]:
    """A DuckDB holding the experiment's exposures and its window of the event log."""
    if experiment.started_at is None:
        raise NotStarted(f"{experiment.key!r} is a draft")
    design = Design(
        arms=[v["key"] for v in experiment.variants],
        weights=[int(v["weight"]) for v in experiment.variants],
        start=experiment.started_at,
        until=(experiment.stopped_at or now) + timedelta(microseconds=1),
        pre_days=PRE_DAYS,
    )
    events, exposures = await _rows(
        s, experiment, metrics, experiment.started_at - timedelta(days=PRE_DAYS), design.until
    )
    con = duckdb.connect()
    try:
        _load(con, events, exposures)
        yield con, design
    finally:
        con.close()


async def experiment_results(
    s: AsyncSession, experiment: Experiment, now: datetime
) -> tuple[Results, list[Guardrail]]:
    keys = list(dict.fromkeys([*experiment.metrics, *(g["metric"] for g in experiment.guardrails)]))
    metrics = [metric(k) for k in keys]
    async with _loaded(s, experiment, metrics, now) as (con, design):
        results = analyse(con, metrics, design)
    return results, judge(results, experiment.guardrails)


async def experiment_daily(
    s: AsyncSession, experiment: Experiment, key: str, now: datetime
) -> list[Day]:
    """One metric's cumulative lift at the end of each day since the start."""
    m = metric(key)
    if m.kind == "quantile":
        raise Invalid("daily lifts are for mean and ratio metrics")
    async with _loaded(s, experiment, [m], now) as (con, design):
        return daily(con, m, design)


def judge(results: Results, guardrails: list[dict[str, Any]]) -> list[Guardrail]:
    """Guardrails are read continuously, so they are judged on the always-valid interval
    of the relative lift (the sequence interval of the difference over the control mean)."""
    by_key = {m.key: m for m in results.metrics}
    out = []
    for g in guardrails:
        m = by_key[g["metric"]]
        base = m.means[0] or float("nan")
        seq = m.seq_ci or m.ci
        rel = np.array(m.rel, dtype=np.float64)
        low = np.array([c[0] / base for c in seq], dtype=np.float64)
        high = np.array([c[1] / base for c in seq], dtype=np.float64)
        harm = stats.harmed(rel, low, high, float(g["threshold"]), not m.higher_is_better)
        out.append(Guardrail(m.key, float(g["threshold"]), bool(harm.any())))
    return out


def results_dict(results: Results, guardrails: list[Guardrail]) -> dict[str, Any]:
    body = as_dict(results)
    body["guardrails"] = [vars(g) for g in guardrails]
    return body


@dataclass(frozen=True)
class Baseline:
    mean: float
    sd: float  # per unit, of the linearised values for a ratio metric
    units: int
    units_per_day: float


async def baseline(s: AsyncSession, key: str, days: int, now: datetime) -> Baseline:
    """A metric's mean and spread per unit over the last ``days`` of the event log, among
    shoppers with any event then: the inputs of the power calculator for a real metric."""
    m = metric(key)
    if m.kind == "quantile":
        raise Invalid("the power calculator takes mean and ratio metrics")
    since = now - timedelta(days=days)
    events = await _events(s, [m], since, now)
    units = sorted({e[1] for e in events})
    con = duckdb.connect()
    try:
        _load(con, events, [(u, 0, since) for u in units])
        design = Design(["all"], [1], since, now + timedelta(microseconds=1), pre_days=0)
        values = unit_values(con, m, design)
    finally:
        con.close()
    if len(values) < 2:
        raise Invalid(f"too few shoppers with events in the last {days} days to estimate")
    return Baseline(
        float(values.mean()), float(values.std(ddof=1)), len(values), len(values) / days
    )
