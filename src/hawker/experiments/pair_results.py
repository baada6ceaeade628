"""A two-sided experiment's results (``pair`` units, issue 7 part 5) from the live database.

Every shopper and host active in the experiment's window is a unit: shoppers with an event
the metrics read (or an exposure), hosts with a show on air in the window (or an event
credited to them). Each side's treatment is re-derived from its salt, as ``pair_variant``
draws it (no lookup; the holdout and layer slice apply to shoppers, targeting is not
re-evaluated). Each event becomes an outcome row of its (shopper, host) pair, the host as
``results.unit_column`` credits it, and ``two_sided.analyse`` gives TSRN and TSRI-k.

Only per-shopper totals decompose into pair rows: mean metrics of a sum or a count. A
shopper who converts with two hosts converts once, so "any" and distinct-order measures, ratio
and quantile metrics are listed as skipped rather than estimated wrongly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.models import Event
from hawker.experiments import two_sided
from hawker.experiments.analysis import clean
from hawker.experiments.errors import NotStarted
from hawker.experiments.metrics import Metric, metric
from hawker.experiments.models import Experiment, Exposure, Layer
from hawker.experiments.registry import Registry, compile_pair
from hawker.experiments.results import events_by_unit
from hawker.live.models import Show

DEFAULT_RELATIVE_DEMAND = 1.0


def _pairable(m: Metric) -> bool:
    return m.kind == "mean" and m.num.agg in ("sum", "count")


async def _rows(
    s: AsyncSession, events: set[str], since: datetime, until: datetime
) -> list[tuple[str, int, int, int]]:
    """(type, shopper, host, value) of every event of ``events`` in the window that has both."""
    host, query = events_by_unit(
        "host", lambda h: (Event.type, Event.user_id, h, Event.value), events, since, until
    )
    query = query.where(Event.user_id.is_not(None), host.is_not(None))
    return [(t, int(u), int(h), int(v or 0)) for t, u, h, v in await s.execute(query)]


async def _hosts_on_air(s: AsyncSession, since: datetime, until: datetime) -> set[int]:
    found = await s.scalars(
        select(Show.host_id)
        .where(
            Show.started_at.is_not(None),
            Show.started_at < until,
            or_(Show.ended_at.is_(None), Show.ended_at >= since),
        )
        .distinct()
    )
    return set(found)


def _sides(units: set[int], arm: Any) -> tuple[dict[int, int], np.ndarray]:
    """Index of each unit in the experiment, and whether it drew the treatment."""
    inside = sorted(u for u in units if arm(str(u).encode()) is not None)
    treated = np.array([arm(str(u).encode()) == 1 for u in inside], dtype=bool)
    return {u: i for i, u in enumerate(inside)}, treated


async def pair_results(
    s: AsyncSession,
    experiment: Experiment,
    registry: Registry,
    now: datetime,
    relative_demand: float = DEFAULT_RELATIVE_DEMAND,
) -> dict[str, Any]:
    """TSRN, TSRI-1 and TSRI-2 per metric, with the market's cell rates and the units of
    each side. ``relative_demand`` is the market balance the operator estimates (demand over
    supply, see ``two_sided.beta_for``)."""
    if experiment.started_at is None:
        raise NotStarted(f"{experiment.key!r} is a draft")
    since = experiment.started_at
    until = (experiment.stopped_at or now) + timedelta(microseconds=1)
    salt = str(await s.scalar(select(Layer.salt).where(Layer.id == experiment.layer_id)))
    pair = compile_pair(experiment, salt)

    def shopper_arm(unit: bytes) -> int | None:
        if experiment.holdout and registry.in_holdout(unit.decode()):
            return None
        return pair.shopper.arm(unit)

    metrics = [metric(k) for k in experiment.metrics]
    rows = await _rows(s, {m.num.event for m in metrics if _pairable(m)}, since, until)
    exposed = await s.scalars(select(Exposure.unit).where(Exposure.experiment_id == experiment.id))
    shoppers, shopper_treated = _sides(
        {r[1] for r in rows} | {int(u) for u in exposed if u.isdigit()}, shopper_arm
    )
    hosts, host_treated = _sides(
        {r[2] for r in rows} | await _hosts_on_air(s, since, until), pair.host_arm
    )
    out = []
    for m in metrics:
        entry: dict[str, Any] = {"key": m.key, "title": m.title}
        if not _pairable(m):
            entry["skipped"] = "only per-shopper sums and counts split into shopper-host pairs"
            out.append(entry)
            continue
        mine = [r for r in rows if r[0] == m.num.event and r[1] in shoppers and r[2] in hosts]
        try:
            found = two_sided.analyse(
                two_sided.Pairs(
                    shopper_treated,
                    host_treated,
                    np.array([shoppers[r[1]] for r in mine], dtype=np.int64),
                    np.array([hosts[r[2]] for r in mine], dtype=np.int64),
                    np.array([r[3] if m.num.agg == "sum" else 1 for r in mine], dtype=np.float64),
                ),
                relative_demand,
            )
        except ValueError as e:  # a side with no treated or no control units yet
            entry["skipped"] = str(e)
            out.append(entry)
            continue
        entry |= {
            "shares": found.shares,
            "rates": found.rates,
            "estimates": {k: vars(v) for k, v in found.estimates.items()},
        }
        out.append(entry)
    return clean(
        {
            "design": "two-sided",
            "arms": [v["key"] for v in experiment.variants],
            "relative_demand": relative_demand,
            "beta": two_sided.beta_for(relative_demand),
            "shoppers": len(shoppers),
            "hosts": len(hosts),
            "metrics": out,
        }
    )
