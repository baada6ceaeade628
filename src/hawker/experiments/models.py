"""Experiments tables: layers, experiments and flags (one table: a flag is an experiment with
no metrics), their exposures, and the version every change bumps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import Base


class Layer(Base):
    """A namespace: its experiments split the layer's own buckets, so a unit is in at most
    one of them; experiments of different layers overlap independently."""

    __tablename__ = "experiment_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    salt: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Experiment(Base):
    """``variants`` is [{key, weight (basis points), value}], the first one the control and
    the default every unit outside the experiment sees. ``allocation`` and ``layer_slice``
    are bucket runs [start, end, value] (see ``assignment``): the allocation is made at start
    and moved as little as possible by ramps; the slice is claimed at creation."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "experiment" | "flag"
    title: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    unit_type: Mapped[str] = mapped_column(String(10))  # shopper, device, host, show, ...
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    salt: Mapped[str] = mapped_column(String(40))
    layer_id: Mapped[int] = mapped_column(ForeignKey("experiment_layers.id"), index=True)
    layer_share: Mapped[int] = mapped_column(Integer)  # layer buckets held (0..10,000)
    layer_slice: Mapped[list[Any]] = mapped_column(JSON, default=list)
    traffic: Mapped[int] = mapped_column(Integer)  # buckets of the allocation in use
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    allocation: Mapped[list[Any]] = mapped_column(JSON, default=list)
    targeting: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    holdout: Mapped[bool] = mapped_column(Boolean, default=True)  # respects the global holdout
    metrics: Mapped[list[str]] = mapped_column(JSON, default=list)
    guardrails: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # switchback experiments (unit "slot"): a slot unit is floor(epoch / slot_seconds); the
    # first burn_in_seconds of each slot are not measured (carry-over from the last slot)
    slot_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    burn_in_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    shipped: Mapped[str | None] = mapped_column(String(40), nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Exposure(Base):
    """The first time a unit saw a variant. A unit seen in two variants has two rows: it is
    reported and left out of the analysis, never mixed in."""

    __tablename__ = "experiment_exposures"

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    variant: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DefinitionsVersion(Base):
    """One row; every change to a definition bumps it in the same unit, and each process
    reloads its snapshot when it sees a new number."""

    __tablename__ = "experiment_definitions_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
