"""The experiment definition form: what the operator typed, kept as strings so a rejected form
comes back exactly as sent, and its translation into the service's validated shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from hawker.experiments.assignment import BUCKETS, MAX_VARIANTS
from hawker.experiments.models import Experiment
from hawker.experiments.schemas import ExperimentIn, ExperimentPatch

MAX_GUARDRAILS = 10
LABELS = {
    "key": "Key",
    "kind": "Kind",
    "title": "Title",
    "hypothesis": "Hypothesis",
    "unit_type": "Unit",
    "layer": "Layer",
    "layer_share": "Layer share",
    "traffic": "Traffic",
    "variants": "Variant",
    "weight": "weight",
    "value": "value",
    "metrics": "Metric",
    "guardrails": "Guardrail",
    "metric": "metric",
    "threshold": "threshold",
    "slot_seconds": "Slot length",
    "burn_in_seconds": "Burn-in",
}


class FormErrors(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class DefinitionForm:
    key: str = ""
    kind: str = "experiment"
    title: str = ""
    hypothesis: str = ""
    unit_type: str = "shopper"
    layer: str = "default"
    layer_share: str = str(BUCKETS)
    traffic: str = str(BUCKETS)
    holdout: bool = True
    slot_seconds: str = ""
    burn_in_seconds: str = ""
    variants: list[dict[str, str]] = field(
        default_factory=lambda: [
            {"key": "control", "weight": "5000", "value": ""},
            {"key": "treatment", "weight": "5000", "value": ""},
        ]
    )
    metrics: list[str] = field(default_factory=list)
    guardrails: list[dict[str, str]] = field(default_factory=list)

    def with_spare_rows(self) -> DefinitionForm:
        """One empty variant and guardrail row more to fill in (within the limits)."""
        variants, guardrails = list(self.variants), list(self.guardrails)
        if len(variants) < MAX_VARIANTS:
            variants.append({"key": "", "weight": "", "value": ""})
        if len(guardrails) < MAX_GUARDRAILS:
            guardrails.append({"metric": "", "threshold": ""})
        return replace(self, variants=variants, guardrails=guardrails)


def _text(form: FormData, name: str, limit: int = 5000) -> str:
    return str(form.get(name, "")).strip()[:limit]


def read_form(form: FormData) -> DefinitionForm:
    """Rows with every cell empty are the spare rows: left out."""
    keys, weights, values = (
        form.getlist(n) for n in ("variant_key", "variant_weight", "variant_value")
    )
    variants = [
        {"key": str(k).strip()[:80], "weight": str(w).strip()[:20], "value": str(v).strip()[:2000]}
        for k, w, v in zip(keys, weights, values, strict=False)
        if str(k).strip() or str(w).strip() or str(v).strip()
    ][: MAX_VARIANTS + 1]
    guardrails = [
        {"metric": str(m).strip()[:80], "threshold": str(t).strip()[:20]}
        for m, t in zip(
            form.getlist("guardrail_metric"), form.getlist("guardrail_threshold"), strict=False
        )
        if str(m).strip() or str(t).strip()
    ][: MAX_GUARDRAILS + 1]
    return DefinitionForm(
        key=_text(form, "key", 100),
        kind=_text(form, "kind", 20) or "experiment",
        title=_text(form, "title", 300),
        hypothesis=_text(form, "hypothesis", 6000),
        unit_type=_text(form, "unit_type", 20),
        layer=_text(form, "layer", 100),
        layer_share=_text(form, "layer_share", 20),
        traffic=_text(form, "traffic", 20),
        holdout=form.get("holdout") == "on",
        slot_seconds=_text(form, "slot_seconds", 20),
        burn_in_seconds=_text(form, "burn_in_seconds", 20),
        variants=variants,
        metrics=[str(m)[:80] for m in form.getlist("metrics")][:30],
        guardrails=guardrails,
    )


def of_experiment(e: Experiment, layer: str) -> DefinitionForm:
    return DefinitionForm(
        key=e.key,
        kind=e.kind,
        title=e.title,
        hypothesis=e.hypothesis,
        unit_type=e.unit_type,
        layer=layer,
        layer_share=str(e.layer_share),
        traffic=str(e.traffic),
        holdout=e.holdout,
        slot_seconds="" if e.slot_seconds is None else str(e.slot_seconds),
        burn_in_seconds="" if e.burn_in_seconds is None else str(e.burn_in_seconds),
        variants=[
            {
                "key": str(v["key"]),
                "weight": str(v["weight"]),
                "value": "" if v.get("value") is None else json.dumps(v["value"]),
            }
            for v in e.variants
        ],
        metrics=list(e.metrics),
        guardrails=[
            {"metric": str(g["metric"]), "threshold": str(g["threshold"])} for g in e.guardrails
        ],
    )


def _variants(f: DefinitionForm) -> tuple[list[dict[str, Any]], list[str]]:
    out, errors = [], []
    for i, v in enumerate(f.variants, 1):
        value: Any = None
        if v["value"]:
            try:
                value = json.loads(v["value"])
            except json.JSONDecodeError as e:
                errors.append(f'Variant {i} value: not JSON ({e.msg}); quote text: "on"')
        out.append({"key": v["key"], "weight": v["weight"], "value": value})
    return out, errors


def _message(err: Any) -> str:
    """('variants', 0, 'weight') -> 'Variant 1 weight: ...'; a rule across fields (loc ())
    is its message alone."""
    words = [f"{n + 1}" if isinstance(n, int) else LABELS.get(n, n) for n in err["loc"]]
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{' '.join(words)}: {message}" if words else message


def _validated(model: type[Any], values: dict[str, Any], errors: list[str]) -> Any:
    try:
        found = model.model_validate(values)
    except ValidationError as e:
        # the input is echoed in the form already; the message says what is wrong with it
        errors += [_message(err) for err in e.errors()]
        found = None
    if errors:
        raise FormErrors(errors)
    return found


def _common(f: DefinitionForm) -> tuple[dict[str, Any], list[str]]:
    variants, errors = _variants(f)
    values = {
        "title": f.title,
        "hypothesis": f.hypothesis,
        "traffic": f.traffic,
        "variants": variants,
        "metrics": f.metrics,
        "guardrails": [dict(g) for g in f.guardrails],
    }
    return values, errors


def to_create(f: DefinitionForm) -> ExperimentIn:
    values, errors = _common(f)
    values |= {
        "key": f.key,
        "kind": f.kind,
        "unit_type": f.unit_type,
        "layer": f.layer,
        "layer_share": f.layer_share,
        "holdout": f.holdout,
        "slot_seconds": f.slot_seconds or None,
        "burn_in_seconds": f.burn_in_seconds or None,
    }
    return _validated(ExperimentIn, values, errors)


def to_patch(f: DefinitionForm) -> ExperimentPatch:
    """A draft's editable part (key, unit, layer and its share are fixed at definition)."""
    values, errors = _common(f)
    return _validated(ExperimentPatch, values, errors)
