"""An experiment's results from the live database: its exposures and the event log of its
window are copied into an embedded DuckDB, analysed (``analysis``), and guardrails judged.

Each event is credited to a unit of the experiment's kind (``unit_column``): shopper units by
``user_id``; host, show and merchant units (the *cluster* designs, issue 7 part 5) through the
event's order and show, joined in the database; slot units (*switchback*) by the slot holding
the event's time, computed when loading. A switchback's units are every slot of its window,
each slot's variant re-derived from the allocation whether or not anyone was exposed in it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hawker.analytics.models import Event
from hawker.catalog.models import Product
from hawker.core.errors import Invalid
from hawker.experiments import stats, switchback
from hawker.experiments.analysis import (
    Day,
    Design,
    Results,
    analyse,
    arm_values,
    as_dict,
    daily,
    unit_values,
)
from hawker.experiments.assignment import EPOCH, slot_unit
from hawker.experiments.errors import NotStarted
from hawker.experiments.metrics import Metric, metric
from hawker.experiments.models import Experiment, Exposure, Layer
from hawker.experiments.registry import compile_assignment
from hawker.live.models import Show
from hawker.orders.models import Order

PRE_DAYS = 14
DESIGNS = {
    "shopper": "shopper",
    "device": "shopper",
    "host": "cluster",
    "show": "cluster",
    "merchant": "cluster",
    "slot": "switchback",
}


@dataclass(frozen=True)
class Guardrail:
    metric: str
    threshold: float
    harmed: bool


def _load(
    con: duckdb.DuckDBPyConnection,
    events: list[Any],
    exposures: list[Any],
    slot_seconds: int | None = None,
) -> None:
    """Columns go in as numpy arrays (DuckDB scans them in place; no row-by-row inserts).
    With ``slot_seconds`` an event's unit is its slot, ``floor(epoch us / slot us)`` (as
    ``assignment.slot_unit``), computed over the whole column at once."""
    cols = list(zip(*events, strict=True)) or [()] * 6
    at = np.array(cols[2], dtype="datetime64[us]")
    frame = {
        "type": np.array(cols[0], dtype=object),
        "unit": np.array(cols[1], dtype=np.int64)
        if slot_seconds is None
        else at.astype(np.int64) // (slot_seconds * 1_000_000),
        "at": at,
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


def unit_column(unit_type: str) -> tuple[Any, list[tuple[Any, Any]]]:
    """The SQL expression of an event's unit, and the outer joins it needs. A host is the
    one its order is attributed to (purchases, refunds; a live show's, a video's or an
    affiliate link's host), else its show's host (joins, leaves, chats); a show is the
    event's, else its order's; a merchant is its order's, else its product's. Events with no
    unit of the kind (a chat for a merchant experiment) credit nobody."""
    order, show, product = aliased(Order), aliased(Show), aliased(Product)
    joins = [
        (order, order.id == Event.order_id),
        (show, show.id == Event.show_id),
        (product, product.id == Event.product_id),
    ]
    if unit_type == "host":
        return func.coalesce(order.host_id, show.host_id), joins
    if unit_type == "show":
        return func.coalesce(Event.show_id, order.show_id), joins[:1]
    if unit_type == "merchant":
        return func.coalesce(order.merchant_id, product.merchant_id), [joins[0], joins[2]]
    if unit_type == "slot":  # made from ``at`` when loading (``_load``)
        return literal(0), []
    return Event.user_id, []


def events_by_unit(
    unit_type: str,
    columns: Callable[[Any], Sequence[Any]],
    types: Collection[str],
    since: datetime,
    until: datetime,
) -> tuple[Any, Select[Any]]:
    """The unit column (``unit_column``) and a query of ``columns(unit)`` over the events of
    ``types`` in [since, until), joined so that each event is credited to its unit."""
    unit, joins = unit_column(unit_type)
    query = select(*columns(unit)).select_from(Event)
    for target, on in joins:
        query = query.outerjoin(target, on)
    return unit, query.where(Event.type.in_(types), Event.at >= since, Event.at < until)


async def _events(
    s: AsyncSession,
    metrics: list[Metric],
    since: datetime,
    until: datetime,
    unit_type: str = "shopper",
) -> list[Any]:
    types = {m.event for x in metrics for m in x.measures()}
    unit, query = events_by_unit(
        unit_type,
        lambda u: (Event.type, u, Event.at, Event.value, Event.order_id, Event.data),
        types,
        since,
        until,
    )
    if unit_type != "slot":
        query = query.where(unit.is_not(None))
    return [
        (t, u, at, v or 0, o, (d or {}).get("section") if isinstance(d, dict) else None)
        for t, u, at, v, o, d in await s.execute(query)
    ]


def slot_exposures(experiment: Experiment, layer_salt: str, until: datetime) -> list[Any]:
    """Every slot that began in the experiment's window and is in it by the hash, as
    (slot, arm, start of its measured part): a switchback's units need no exposure log. A
    slot whose burn-in has not ended by ``until`` has nothing measured and drops out."""
    length = int(experiment.slot_seconds or 0)
    burn_in = timedelta(seconds=experiment.burn_in_seconds or 0)
    assert experiment.started_at is not None and length > 0
    step = timedelta(seconds=length)
    first = -((EPOCH - experiment.started_at) // step)  # the first slot to begin at or after
    last = -((EPOCH - until) // step)  # slots [first, last) begin before ``until``
    compiled = compile_assignment(experiment, layer_salt)
    out = []
    for slot in range(first, last):
        begins = EPOCH + timedelta(seconds=slot * length)
        arm = compiled.arm(slot_unit(begins, length).encode())
        if arm is not None:
            out.append((slot, arm, begins + burn_in))
    return out


async def _rows(
    s: AsyncSession, experiment: Experiment, metrics: list[Metric], since: datetime, until: datetime
) -> tuple[list[Any], list[Any]]:
    events = await _events(s, metrics, since, until, experiment.unit_type)
    if experiment.unit_type == "slot":
        salt = await s.scalar(select(Layer.salt).where(Layer.id == experiment.layer_id))
        return events, slot_exposures(experiment, str(salt), until)
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
    slots = experiment.unit_type == "slot"
    design = Design(
        arms=[v["key"] for v in experiment.variants],
        weights=[int(v["weight"]) for v in experiment.variants],
        start=experiment.started_at,
        until=(experiment.stopped_at or now) + timedelta(microseconds=1),
        pre_days=0 if slots else PRE_DAYS,  # a slot has no pre-period of its own
    )
    since = experiment.started_at - timedelta(days=design.pre_days)
    events, exposures = await _rows(s, experiment, metrics, since, design.until)
    con = duckdb.connect()
    try:
        _load(con, events, exposures, experiment.slot_seconds if slots else None)
        yield con, design
    finally:
        con.close()


async def experiment_results(
    s: AsyncSession, experiment: Experiment, now: datetime
) -> tuple[Results, list[Guardrail]]:
    keys = list(dict.fromkeys([*experiment.metrics, *(g["metric"] for g in experiment.guardrails)]))
    metrics = [metric(k) for k in keys]
    async with _loaded(s, experiment, metrics, now) as (con, design):
        if experiment.unit_type != "slot":
            results = analyse(con, metrics, design)
        else:
            results = analyse(con, metrics, design, cuped=False)
            _randomization(results, *arm_values(con, metrics, design))
            results.switchback = {
                "slot_seconds": experiment.slot_seconds,
                "burn_in_seconds": experiment.burn_in_seconds or 0,
                "slots": results.units,
                "draws": switchback.DRAWS,
                "seed": switchback.SEED,
            }
    results.design = DESIGNS.get(experiment.unit_type, "shopper")
    return results, judge(results, experiment.guardrails)


def _randomization(
    results: Results,
    arm: np.ndarray,
    values: dict[str, tuple[np.ndarray, np.ndarray | None]],
) -> None:
    """Each treatment arm against the control over the slots of those two arms: the Fisher
    randomization p-value and interval (``switchback.fisher``) of every mean and ratio
    metric."""
    for result in results.metrics:
        if result.key not in values:  # quantiles: intervals only, as for shoppers
            continue
        num, den = values[result.key]
        result.randomization_p, result.randomization_ci = [], []
        for t in range(1, len(results.arms)):
            pair = (arm == 0) | (arm == t)
            found = switchback.fisher(
                num[pair], arm[pair] == t, den=None if den is None else den[pair]
            )
            result.randomization_p.append(found.p)
            result.randomization_ci.append(found.ci)


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
