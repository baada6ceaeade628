"""Defining and running experiments and flags: validated, audited, versioned.

States: draft -> running -> stopped, and any state -> killed (the kill switch: everyone gets
the control at once). Every change is audited (``experiment.*``) and bumps the definitions
version in the same unit, which is how every process learns to reload (``registry``).
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit, snapshot
from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import Forbidden, Invalid
from hawker.experiments import assignment
from hawker.experiments.errors import (
    BadWeights,
    DuplicateKey,
    IllegalExperimentTransition,
    LayerFull,
    UnknownExperiment,
)
from hawker.experiments.metrics import metric
from hawker.experiments.models import DefinitionsVersion, Experiment, Layer
from hawker.experiments.schemas import ExperimentIn, ExperimentPatch, GuardrailIn, VariantIn

TRANSITIONS = {
    "start": {"draft"},
    "ramp": {"running"},
    "stop": {"running"},
    "kill": {"draft", "running", "stopped"},
}


def check_operator(user: User) -> None:
    if not user.has_role("operator"):
        raise Forbidden("only operators define experiments and flags")


def check_variants(variants: list[VariantIn]) -> None:
    keys = [v.key for v in variants]
    if len(set(keys)) != len(keys):
        raise Invalid("variant keys must be unique")
    if sum(v.weight for v in variants) != assignment.BUCKETS:
        raise BadWeights(f"weights add up to {sum(v.weight for v in variants)}, not 10000")


def check_pair(unit_type: str, variants: list[VariantIn]) -> None:
    """Two-sided randomization treats a pair when both sides are treated: one treatment."""
    if unit_type == "pair" and len(variants) != 2:
        raise Invalid("a pair (two-sided) experiment has two variants: control and treatment")


def check_metrics(metrics: list[str], guardrails: list[GuardrailIn]) -> None:
    for key in [*metrics, *(g.metric for g in guardrails)]:
        metric(key)  # UnknownMetric when it is not defined


def check_transition(experiment: Experiment, action: str) -> None:
    if experiment.status not in TRANSITIONS[action]:
        raise IllegalExperimentTransition(
            f"cannot {action} an experiment that is {experiment.status}"
        )


async def list_experiments(s: AsyncSession, status: str | None = None) -> list[Experiment]:
    query = select(Experiment).order_by(Experiment.id.desc())
    if status is not None:
        query = query.where(Experiment.status == status)
    return list(await s.scalars(query))


async def access_experiment(s: AsyncSession, key: str, *, lock: bool = False) -> Experiment:
    query = select(Experiment).where(Experiment.key == key)
    found = await s.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise UnknownExperiment(f"no experiment or flag {key!r}")
    return found


async def _layer(s: AsyncSession, key: str) -> Layer:
    """The layer, made on first use and locked: slices of one layer are claimed one at a
    time (two operators defining experiments at once cannot both take the same buckets)."""
    query = select(Layer).where(Layer.key == key).with_for_update()
    layer = await s.scalar(query)
    if layer is None:
        try:
            async with s.begin_nested():
                layer = Layer(key=key, salt=secrets.token_hex(8))
                s.add(layer)
                await s.flush()
        except IntegrityError:  # made by a concurrent definition since: wait for it
            layer = await s.scalar(query)
            assert layer is not None
    return layer


async def _claim_slice(s: AsyncSession, layer: Layer, share: int) -> list[Any]:
    """Lowest buckets of the layer no live experiment of it holds (drafts hold theirs too,
    so a conflict shows when the experiment is defined, not when it starts)."""
    taken = bytearray(assignment.BUCKETS)
    holders = await s.scalars(
        select(Experiment).where(
            Experiment.layer_id == layer.id, Experiment.status.in_(("draft", "running"))
        )
    )
    for other in holders:
        for start, end, _ in other.layer_slice:
            taken[start:end] = b"\x01" * (end - start)
    try:
        mask = assignment.claim_slice(bytes(taken), share)
    except ValueError as e:
        raise LayerFull(f"layer {layer.key!r}: {e}", layer=layer.key) from e
    return [list(r) for r in assignment.to_runs(bytes(1 if m else assignment.FREE for m in mask))]


async def do_bump_version(s: AsyncSession) -> None:
    """The row is made by the migration; processes reload when they see the number move."""
    await s.execute(
        update(DefinitionsVersion)
        .where(DefinitionsVersion.id == 1)
        .values(version=DefinitionsVersion.version + 1)
    )


async def do_create(s: AsyncSession, operator: User, body: ExperimentIn) -> Experiment:
    check_operator(operator)
    check_variants(body.variants)
    check_pair(body.unit_type, body.variants)
    check_metrics(body.metrics, body.guardrails)
    if body.kind == "flag" and (body.metrics or body.guardrails):
        raise Invalid("a flag has no metrics: define an experiment to measure")
    if await s.scalar(select(Experiment.id).where(Experiment.key == body.key)) is not None:
        raise DuplicateKey(f"{body.key!r} is taken")
    layer = await _layer(s, body.layer)
    values = body.model_dump(exclude={"layer"})
    values["targeting"] = body.targeting.model_dump(exclude_defaults=True)
    experiment = Experiment(
        **values,
        salt=secrets.token_hex(8),
        layer_id=layer.id,
        layer_slice=await _claim_slice(s, layer, body.layer_share),
        created_by=operator.id,
        status="draft",
    )
    s.add(experiment)
    try:
        async with s.begin_nested():
            await s.flush()
    except IntegrityError as e:
        raise DuplicateKey(f"{body.key!r} is taken") from e
    await do_audit(
        s, operator, "experiment.create", "experiment", experiment.key, after=snapshot(experiment)
    )
    await do_bump_version(s)
    return experiment


async def do_update(
    s: AsyncSession, operator: User, key: str, patch: ExperimentPatch
) -> Experiment:
    check_operator(operator)
    experiment = await access_experiment(s, key, lock=True)
    if experiment.status != "draft":
        raise IllegalExperimentTransition("only drafts are edited; ramp a running experiment")
    if patch.variants is not None:
        check_variants(patch.variants)
        check_pair(experiment.unit_type, patch.variants)
    check_metrics(patch.metrics or [], patch.guardrails or [])
    if experiment.kind == "flag" and (patch.metrics or patch.guardrails):
        raise Invalid("a flag has no metrics: define an experiment to measure")
    before = snapshot(experiment)
    for name, value in patch.model_dump(exclude_unset=True, exclude_none=True).items():
        if name == "targeting" and patch.targeting is not None:
            value = patch.targeting.model_dump(exclude_defaults=True)
        setattr(experiment, name, value)
    await s.flush()
    await do_audit(
        s,
        operator,
        "experiment.change",
        "experiment",
        key,
        before=before,
        after=snapshot(experiment),
    )
    await do_bump_version(s)
    return experiment


async def _change(
    s: AsyncSession, actor: User, key: str, action: str, audited: str = "", **values: Any
) -> Experiment:
    experiment = await access_experiment(s, key, lock=True)
    check_transition(experiment, action)
    before = snapshot(experiment)
    for name, value in values.items():
        setattr(experiment, name, value)
    await s.flush()
    await do_audit(
        s,
        actor,
        f"experiment.{audited or action}",
        "experiment",
        key,
        before=before,
        after=snapshot(experiment),
    )
    await do_bump_version(s)
    return experiment


def _weights(experiment: Experiment) -> list[int]:
    return [int(v["weight"]) for v in experiment.variants]


async def do_start(s: AsyncSession, operator: User, key: str) -> Experiment:
    check_operator(operator)
    experiment = await access_experiment(s, key)
    table = assignment.reallocate(None, _weights(experiment), experiment.traffic)
    return await _change(
        s,
        operator,
        key,
        "start",
        status="running",
        started_at=utcnow(),
        allocation=[list(r) for r in assignment.to_runs(table)],
    )


async def do_ramp(
    s: AsyncSession, operator: User, key: str, traffic: int, weights: list[int] | None
) -> Experiment:
    """Change traffic (and weights) of a running experiment, moving the fewest units."""
    check_operator(operator)
    experiment = await access_experiment(s, key)
    if experiment.unit_type == "slot":
        raise IllegalExperimentTransition(
            "a switchback's past slots are re-derived from its allocation, so ramping would "
            "rewrite them: stop it and start a new one"
        )
    variants = [dict(v) for v in experiment.variants]
    if weights is not None:
        if len(weights) != len(variants):
            raise Invalid(f"{len(variants)} weights needed, one per variant")
        if sum(weights) != assignment.BUCKETS:
            raise BadWeights(f"weights add up to {sum(weights)}, not 10000")
        for variant, weight in zip(variants, weights, strict=True):
            variant["weight"] = weight
    old = assignment.from_runs(experiment.allocation) if experiment.allocation else None
    table = assignment.reallocate(old, [int(v["weight"]) for v in variants], traffic)
    runs = [list(r) for r in assignment.to_runs(table)]
    return await _change(
        s, operator, key, "ramp", traffic=traffic, variants=variants, allocation=runs
    )


async def do_stop(
    s: AsyncSession, operator: User, key: str, ship: str | None, reason: str
) -> Experiment:
    """Record the decision; everyone gets the shipped variant (or the control) from now on,
    and the layer slice is free for the next experiment (only drafts and running experiments
    hold theirs; the slice stays on the row, as a switchback's analysis re-derives which slots
    were in the experiment from it)."""
    check_operator(operator)
    experiment = await access_experiment(s, key)
    if ship is not None and ship not in {v["key"] for v in experiment.variants}:
        raise Invalid(f"no variant {ship!r} to ship")
    return await _change(
        s,
        operator,
        key,
        "stop",
        status="stopped",
        stopped_at=utcnow(),
        shipped=ship,
        decision_reason=reason,
    )


async def do_kill(
    s: AsyncSession, actor: User, key: str, reason: str, *, action: str = "kill"
) -> Experiment:
    """The kill switch: the control for everyone, everywhere, within the refresh interval.
    ``action`` names it in the audit log ("guardrail_stop" when the guardrail job pulls it,
    with the experiment's creator as the actor)."""
    if action == "kill":
        check_operator(actor)
    return await _change(
        s,
        actor,
        key,
        "kill",
        action,
        status="killed",
        stopped_at=utcnow(),
        shipped=None,
        decision_reason=reason,
    )
