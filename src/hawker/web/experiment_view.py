"""What the experiment review page shows of the results: per metric a row per variant with its
figures and interval bar, the lift-over-time plot, and whatever else the results carry.

Reads the JSON-ready results dict (``results.results_dict``) rather than the dataclasses so a
design that adds figures (switchback, randomization inference) shows them without a change
here: unknown keys are listed as they come, missing ones are shown as a dash.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from hawker.experiments.analysis import Day
from hawker.web.charts import Bar, Plot, Tone, interval_bars, lift_plot, tone

DASH = "\N{EN DASH}"
TOP_KEYS = {
    "arms",
    "units",
    "srm_p",
    "srm",
    "mixed_units",
    "mixed_examples",
    "metrics",
    "correction",
    "guardrails",
    "design",
    "switchback",
}
METRIC_KEYS = {
    "key",
    "title",
    "kind",
    "higher_is_better",
    "n",
    "means",
    "diff",
    "ci",
    "rel",
    "rel_ci",
    "p",
    "p_adjusted",
    "seq_p",
    "seq_ci",
    "cuped_theta",
    "randomization_p",
    "randomization_ci",
}


def _at(values: Any, i: int) -> Any:
    return values[i] if isinstance(values, list) and 0 <= i < len(values) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def num(value: Any, digits: int = 4) -> str:
    """A figure to ``digits`` significant digits; a dash when there is none."""
    v = _float(value)
    if v is None:
        return DASH
    return f"{v:,.0f}" if abs(v) >= 10 ** (digits - 1) else f"{v:.{digits}g}"


def signed(value: Any, digits: int = 3) -> str:
    v = _float(value)
    return DASH if v is None else f"{v:+.{digits}g}"


def pct(value: Any) -> str:
    v = _float(value)
    return DASH if v is None else f"{v * 100:+.2f} %"


def pval(value: Any) -> str:
    v = _float(value)
    if v is None:
        return DASH
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def p_is(value: Any) -> str:
    """ "p < 0.001" or "p = 0.034"."""
    text = pval(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def interval(pair: Any, fmt: Any = signed) -> str:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return DASH
    return f"[{fmt(pair[0])}, {fmt(pair[1])}]"


def plain(value: Any, limit: int = 300) -> str:
    """Any JSON-ready value as short text."""
    if isinstance(value, float):
        return num(value)
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def design(body: dict[str, Any]) -> str:
    """How the experiment was analysed, in words."""
    found = body.get("design", "shopper")
    if found == "switchback" and isinstance(body.get("switchback"), dict):
        sb = body["switchback"]
        return (
            f"Switchback: slots of {plain(sb.get('slot_seconds'))} s, the first "
            f"{plain(sb.get('burn_in_seconds'))} s of each not measured; each slot is a unit, "
            f"judged by a randomization test ({plain(sb.get('draws'))} draws)"
        )
    return {
        "shopper": "Shopper-level A/B test: each shopper (or device) is a unit",
        "cluster": "Host-side (cluster) randomization: each host, show or merchant is a unit",
    }.get(str(found), f"Design: {plain(found)}")


def extras(body: dict[str, Any], known: set[str]) -> list[tuple[str, str]]:
    return [(k, plain(v)) for k, v in body.items() if k not in known]


@dataclass(frozen=True)
class ArmRow:
    arm: str
    control: bool
    units: Any
    mean: Any
    diff: Any
    ci: Any
    rel: Any
    rel_ci: Any
    p: Any
    p_adjusted: Any
    seq_p: Any
    randomization_p: Any
    randomization_ci: Any
    bar: Bar | None
    tone: Tone


@dataclass(frozen=True)
class MetricView:
    key: str
    title: str
    kind: str
    higher_is_better: bool
    rows: list[ArmRow]
    extra: list[tuple[str, str]]
    randomization: bool  # a switchback's Fisher test: its p-value and interval per arm


def metric_view(m: dict[str, Any], arms: list[str]) -> MetricView:
    better = bool(m.get("higher_is_better", True))
    treated = arms[1:]
    rel_ci = [_at(m.get("rel_ci"), i) for i in range(len(treated))]
    bars = interval_bars(rel_ci, [_at(m.get("rel"), i) for i in range(len(treated))], better)
    rows = []
    for i, arm in enumerate(arms):
        t = i - 1  # treatment arm index in the per-comparison lists
        ci = _at(m.get("ci"), t) if t >= 0 else None
        rows.append(
            ArmRow(
                arm=arm,
                control=t < 0,
                units=_at(m.get("n"), i),
                mean=_at(m.get("means"), i),
                diff=_at(m.get("diff"), t) if t >= 0 else None,
                ci=ci,
                rel=_at(m.get("rel"), t) if t >= 0 else None,
                rel_ci=rel_ci[t] if t >= 0 else None,
                p=_at(m.get("p"), t) if t >= 0 else None,
                p_adjusted=_at(m.get("p_adjusted"), t) if t >= 0 else None,
                seq_p=_at(m.get("seq_p"), t) if t >= 0 else None,
                randomization_p=_at(m.get("randomization_p"), t) if t >= 0 else None,
                randomization_ci=_at(m.get("randomization_ci"), t) if t >= 0 else None,
                bar=bars[t] if t >= 0 else None,
                tone=tone(ci, better) if t >= 0 else "flat",
            )
        )
    return MetricView(
        key=str(m.get("key", "")),
        title=str(m.get("title", m.get("key", ""))),
        kind=str(m.get("kind", "")),
        higher_is_better=better,
        rows=rows,
        extra=extras(m, METRIC_KEYS),
        randomization=isinstance(m.get("randomization_p"), list),
    )


def lift_over_time(days: list[Day], treated: list[str]) -> Plot | None:
    """The difference is the middle of its (symmetric, Welch) interval; the band is the
    always-valid interval, the one that may be read every day."""
    if not days:
        return None
    points = [[(lo + hi) / 2 for lo, hi in d.ci] for d in days]
    return lift_plot([d.day for d in days], treated, points, [list(d.seq_ci) for d in days])


def expected_units(units: list[int], weights: list[int]) -> list[float]:
    """What the variant weights promise for the units seen (the SRM check's expectation)."""
    total, weight = sum(units), sum(weights)
    return [total * w / weight if weight else 0.0 for w in weights]
