"""Metric definitions over the event log, defined once and compiled to DuckDB SQL.

A *measure* aggregates one event type per unit (count, sum of ``value``, whether any, distinct
orders), optionally for one front-page section. A metric is a per-unit mean of a measure
(conversion is the mean of "any purchase"), a ratio of two measures' totals (analysed with the
delta method) or a quantile of an event's values (watch time per session). Units exposed but
with no events count as zeros: leaving them out would bias every per-unit mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hawker.analytics.service import EVENT_TYPES
from hawker.experiments.errors import UnknownMetric

Aggregate = Literal["count", "sum", "any", "orders"]
Kind = Literal["mean", "ratio", "quantile"]
SECTION = re.compile(r"^[a-z0-9_.-]{1,60}$")


@dataclass(frozen=True)
class Measure:
    event: str
    agg: Aggregate
    section: str | None = None

    def __post_init__(self) -> None:
        # checked here because the values are written into SQL
        if self.event not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.event!r}")
        if self.section is not None and not SECTION.match(self.section):
            raise ValueError(f"bad section {self.section!r}")

    def sql(self, when: str) -> str:
        """This measure for one unit, over the joined events ``e`` that satisfy ``when``."""
        cond = f"e.type = '{self.event}' AND {when}"
        if self.section is not None:
            cond += f" AND e.section = '{self.section}'"
        return {
            "count": f"count(*) FILTER (WHERE {cond})",
            "sum": f"coalesce(sum(e.value) FILTER (WHERE {cond}), 0)",
            "any": f"CAST(count(*) FILTER (WHERE {cond}) > 0 AS INTEGER)",
            "orders": f"count(DISTINCT e.order_id) FILTER (WHERE {cond})",
        }[self.agg]


@dataclass(frozen=True)
class Metric:
    key: str
    title: str
    kind: Kind
    num: Measure
    den: Measure | None = None
    quantile: float | None = None
    higher_is_better: bool = True

    def measures(self) -> tuple[Measure, ...]:
        return (self.num,) if self.den is None else (self.num, self.den)


PURCHASE_GMV = Measure("purchase", "sum")
SESSIONS = Measure("room.join", "count")
WATCHED = Measure("room.leave", "sum")
LEFT = Measure("room.leave", "count")

METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("gmv_per_shopper", "GMV per shopper (minor units)", "mean", PURCHASE_GMV),
        Metric("conversion", "Conversion (share who buy)", "mean", Measure("purchase", "any")),
        Metric("orders_per_shopper", "Orders per shopper", "mean", Measure("purchase", "orders")),
        Metric("gmv_per_session", "GMV per live session", "ratio", PURCHASE_GMV, SESSIONS),
        Metric("watch_ms_per_session", "Watch time per session (ms)", "ratio", WATCHED, LEFT),
        Metric(
            "home_live_ctr",
            "Click-through on the home page's live section",
            "ratio",
            Measure("section.click", "count", "home.live"),
            # a flush writes one impression event per shopper and section: value is the count
            Measure("section.impression", "sum", "home.live"),
        ),
        Metric(
            "chats_per_viewer",
            "Chat messages per viewer",
            "ratio",
            Measure("chat", "count"),
            Measure("room.join", "any"),
        ),
        Metric(
            "refund_rate",
            "Refunded share of GMV",
            "ratio",
            Measure("refund", "sum"),
            PURCHASE_GMV,
            higher_is_better=False,
        ),
        Metric("live_entries", "Live room entries per shopper", "mean", SESSIONS),
        Metric("watch_ms_p50", "Median watch time per session (ms)", "quantile", LEFT, None, 0.5),
        Metric("watch_ms_p90", "p90 watch time per session (ms)", "quantile", LEFT, None, 0.9),
    )
}


def metric(key: str) -> Metric:
    found = METRICS.get(key)
    if found is None:
        raise UnknownMetric(f"no metric {key!r}; known: {', '.join(sorted(METRICS))}")
    return found
