"""Experiments API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hawker.experiments.assignment import BUCKETS, MAX_VARIANTS
from hawker.experiments.targeting import Rules

KEY = r"^[a-z0-9][a-z0-9_.-]*$"
Key = Annotated[str, Field(min_length=1, max_length=80, pattern=KEY)]
# an experiment's key is also the audit log's target id (40 characters)
ExperimentKey = Annotated[str, Field(min_length=1, max_length=40, pattern=KEY)]
VariantKey = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
# pair: a shopper-host interaction under two-sided randomization (``two_sided``)
UnitType = Literal["shopper", "device", "host", "show", "merchant", "slot", "pair"]
Status = Literal["draft", "running", "stopped", "killed"]
Share = Annotated[int, Field(ge=0, le=BUCKETS, description="basis points of 10,000")]


class VariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: VariantKey
    weight: Share
    value: Any = Field(default=None, description="what callers receive (JSON)")


class GuardrailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric: Key
    threshold: float = Field(gt=0, le=10, description="relative harm that stops it (0.05: 5 %)")


class ExperimentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: ExperimentKey
    kind: Literal["experiment", "flag"] = "experiment"
    title: str = Field(min_length=1, max_length=200)
    hypothesis: str = Field(default="", max_length=5000)
    unit_type: UnitType = "shopper"
    layer: Key = Field(default="default", description="experiments of a layer never share units")
    layer_share: Share = Field(default=BUCKETS, description="share of the layer's units")
    traffic: Share = Field(default=BUCKETS, description="share of the slice in the experiment")
    variants: list[VariantIn] = Field(min_length=1, max_length=MAX_VARIANTS)
    targeting: Rules = Field(default_factory=Rules)
    holdout: bool = Field(default=True, description="keep the global holdout out")
    metrics: list[Key] = Field(default_factory=list, max_length=20)
    guardrails: list[GuardrailIn] = Field(default_factory=list, max_length=10)
    slot_seconds: int | None = Field(
        default=None, ge=60, le=7 * 86400, description="slot length (slot units only)"
    )
    burn_in_seconds: int | None = Field(
        default=None,
        ge=0,
        le=7 * 86400,
        description="seconds at the start of each slot left out of the analysis (slot units)",
    )

    @model_validator(mode="after")
    def _switchback(self) -> ExperimentIn:
        """Slot length and burn-in belong to switchback experiments, which need a length."""
        if self.unit_type != "slot":
            if self.slot_seconds is not None or self.burn_in_seconds is not None:
                raise ValueError("slot_seconds and burn_in_seconds are for slot units only")
            return self
        if self.slot_seconds is None:
            raise ValueError("a switchback experiment (slot units) needs slot_seconds")
        if self.burn_in_seconds is None:
            self.burn_in_seconds = 0
        if self.burn_in_seconds >= self.slot_seconds:
            raise ValueError("burn_in_seconds must be shorter than slot_seconds")
        return self


class ExperimentPatch(BaseModel):
    """Drafts change anything below; running experiments only what ``/ramp`` changes."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, min_length=1, max_length=200)
    hypothesis: str | None = Field(default=None, max_length=5000)
    variants: list[VariantIn] | None = Field(default=None, min_length=1, max_length=MAX_VARIANTS)
    targeting: Rules | None = None
    traffic: Share | None = None
    metrics: list[Key] | None = Field(default=None, max_length=20)
    guardrails: list[GuardrailIn] | None = Field(default=None, max_length=10)


class RampIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    traffic: Share
    weights: list[Share] | None = Field(default=None, max_length=MAX_VARIANTS)


class StopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ship: VariantKey | None = Field(default=None, description="variant everyone gets from now")
    reason: str = Field(min_length=1, max_length=2000)


class ExperimentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    kind: str
    title: str
    hypothesis: str
    unit_type: str
    status: Status
    layer_share: int
    traffic: int
    variants: list[dict[str, Any]]
    targeting: dict[str, Any]
    holdout: bool
    metrics: list[str]
    guardrails: list[dict[str, Any]]
    slot_seconds: int | None
    burn_in_seconds: int | None
    shipped: str | None
    decision_reason: str
    created_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None


class AssignmentOut(BaseModel):
    key: str
    variant: str | None = Field(description="None: no such experiment or flag")
    value: Any
    in_experiment: bool


class PowerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sd: float = Field(
        ge=0, le=1e15, description="per-unit standard deviation (linearised for a ratio)"
    )
    mde: float = Field(gt=0, le=1e15, description="smallest absolute effect worth finding")
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    power: float = Field(default=0.8, ge=0.5, lt=1)
    weights: list[Annotated[float, Field(gt=0, le=1e6)]] = Field(
        default=[1, 1], min_length=2, max_length=MAX_VARIANTS
    )
    r2: float = Field(default=0, ge=0, lt=1, description="variance CUPED removes")
    units_per_day: int = Field(default=1000, ge=1, le=10**9)


class PowerOut(BaseModel):
    units: int
    days: int


class BaselinePowerIn(BaseModel):
    """Power for a defined metric, its spread measured on the recent event log."""

    model_config = ConfigDict(extra="forbid")
    metric: Key
    days: int = Field(default=14, ge=1, le=365, description="how far back to measure")
    mde_rel: float = Field(gt=0, le=10, description="smallest relative effect (0.02: 2 %)")
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    power: float = Field(default=0.8, ge=0.5, lt=1)
    weights: list[Annotated[float, Field(gt=0, le=1e6)]] = Field(
        default=[1, 1], min_length=2, max_length=MAX_VARIANTS
    )
    r2: float = Field(default=0, ge=0, lt=1, description="variance CUPED removes")


class BaselinePowerOut(PowerOut):
    mean: float
    sd: float
    active_units: int
    units_per_day: float
