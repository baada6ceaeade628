"""Experiments JSON API: operators define, run and read experiments and flags; pages and
apps ask for the caller's variants and report what the caller actually saw."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hawker.accounts.auth import optional_user, require_role, runtime
from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import Invalid
from hawker.experiments import service, stats
from hawker.experiments.analysis import clean
from hawker.experiments.context import context_for
from hawker.experiments.exposures import Seen, do_expose, mixed_units
from hawker.experiments.pair_results import DEFAULT_RELATIVE_DEMAND, pair_results
from hawker.experiments.registry import Assignment, Registry, registry_of
from hawker.experiments.results import (
    baseline,
    experiment_daily,
    experiment_results,
    results_dict,
)
from hawker.experiments.schemas import (
    AssignmentOut,
    BaselinePowerIn,
    BaselinePowerOut,
    ExperimentIn,
    ExperimentOut,
    ExperimentPatch,
    Key,
    PowerIn,
    PowerOut,
    RampIn,
    Status,
    StopIn,
)
from hawker.experiments.surfaces import DEVICE_COOKIE, unit_for
from hawker.experiments.targeting import Context
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["experiments"])
operator_user = require_role("operator")


class KillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


async def _changed(rt: Runtime, experiment: Any) -> ExperimentOut:
    """After the unit committed: this process serves the change at once (others within the
    refresh interval)."""
    await registry_of(rt).refresh(rt.db, force=True)
    return ExperimentOut.model_validate(experiment)


@router.post("/experiments", status_code=201)
async def create(
    body: ExperimentIn, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> ExperimentOut:
    async with rt.db.write() as s:
        experiment = await service.do_create(s, user, body)
    return await _changed(rt, experiment)


@router.get("/experiments")
async def list_experiments(
    status: Status | None = Query(default=None),
    _: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> list[ExperimentOut]:
    async with rt.db.read() as s:
        return [ExperimentOut.model_validate(e) for e in await service.list_experiments(s, status)]


@router.get("/experiments/{key}")
async def get(
    key: Key, _: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> ExperimentOut:
    async with rt.db.read() as s:
        return ExperimentOut.model_validate(await service.access_experiment(s, key))


@router.patch("/experiments/{key}")
async def change(
    key: Key,
    body: ExperimentPatch,
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> ExperimentOut:
    async with rt.db.write() as s:
        experiment = await service.do_update(s, user, key, body)
    return await _changed(rt, experiment)


@router.post("/experiments/{key}/start")
async def start(
    key: Key, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> ExperimentOut:
    async with rt.db.write() as s:
        experiment = await service.do_start(s, user, key)
    return await _changed(rt, experiment)


@router.post("/experiments/{key}/ramp")
async def ramp(
    key: Key, body: RampIn, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> ExperimentOut:
    async with rt.db.write() as s:
        experiment = await service.do_ramp(s, user, key, body.traffic, body.weights)
    return await _changed(rt, experiment)


@router.post("/experiments/{key}/stop")
async def stop(
    key: Key, body: StopIn, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> ExperimentOut:
    async with rt.db.write() as s:
        experiment = await service.do_stop(s, user, key, body.ship, body.reason)
    return await _changed(rt, experiment)


@router.post("/experiments/{key}/kill")
async def kill(
    key: Key, body: KillIn, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> ExperimentOut:
    async with rt.db.write() as s:
        experiment = await service.do_kill(s, user, key, body.reason)
    return await _changed(rt, experiment)


@router.get("/experiments/{key}/results")
async def results(
    key: Key,
    relative_demand: float = Query(
        default=DEFAULT_RELATIVE_DEMAND,
        ge=0,
        le=100,
        description="two-sided experiments: the market's demand over supply (TSRI's weight)",
    ),
    _: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    """Per metric and variant: means, lifts with intervals, p-values (raw, corrected,
    always-valid); the SRM check, units seen in two variants, and guardrails. ``design``
    says how units were drawn; switchbacks add slot figures and randomization tests; a
    two-sided (``pair``) experiment gets its TSRN and TSRI estimates per metric instead."""
    async with rt.db.read() as s:
        experiment = await service.access_experiment(s, key)
        if experiment.unit_type == "pair":
            return await pair_results(s, experiment, registry_of(rt), utcnow(), relative_demand)
        found, guardrails = await experiment_results(s, experiment, utcnow())
        mixed = await mixed_units(s, experiment.id)
    body = results_dict(found, guardrails)
    body["mixed_examples"] = mixed
    return body


def _sample_size(sd: float, mde: float, body: PowerIn | BaselinePowerIn) -> int:
    try:
        return stats.sample_size(sd, mde, body.alpha, body.power, tuple(body.weights), body.r2)
    except ValueError as e:
        raise Invalid(str(e)) from e


@router.get("/experiments/{key}/daily")
async def daily(
    key: Key,
    metric: Key = Query(description="a mean or ratio metric"),
    _: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> list[dict[str, Any]]:
    """Cumulative results at the end of each day: the lift-over-time plot's points, with
    the always-valid p-value as of each day."""
    async with rt.db.read() as s:
        experiment = await service.access_experiment(s, key)
        days = await experiment_daily(s, experiment, metric, utcnow())
    return [clean(vars(d)) for d in days]


@router.post("/experiments/power")
async def power(body: PowerIn, _: User = Depends(operator_user)) -> PowerOut:
    """Units and days needed to find ``mde`` with the given power (control vs one variant)."""
    units = _sample_size(body.sd, body.mde, body)
    return PowerOut(units=units, days=-(-units // body.units_per_day))


@router.post("/experiments/power/baseline")
async def power_from_baseline(
    body: BaselinePowerIn, _: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> BaselinePowerOut:
    """The same for a defined metric (ratio metrics by their linearisation), with its mean,
    spread and daily active shoppers measured on the last ``days`` of the event log."""
    async with rt.db.read() as s:
        found = await baseline(s, body.metric, body.days, utcnow())
    units = _sample_size(found.sd, abs(found.mean) * body.mde_rel, body)
    return BaselinePowerOut(
        units=units,
        days=math.ceil(units / found.units_per_day),
        mean=found.mean,
        sd=found.sd,
        active_units=found.units,
        units_per_day=found.units_per_day,
    )


def _unit(registry: Registry, key: str, request: Request, user: User | None) -> str | None:
    return unit_for(registry, key, user.id if user else None, request.cookies.get(DEVICE_COOKIE))


async def _assign(
    request: Request, rt: Runtime, user: User | None, keys: list[str]
) -> list[Assignment]:
    """The caller's variants; what targeting needs of the caller is read once, and only when
    one of the experiments targets."""
    registry = registry_of(rt)
    ctx: Context | None = None
    found = []
    for key in keys:
        unit = _unit(registry, key, request, user)
        if unit is None:
            found.append(registry.default(key))
            continue
        if ctx is None and registry.entries[key].check is not None:
            async with rt.db.read() as s:
                ctx = await context_for(s, user, dict(request.headers))
        found.append(registry.variant(key, unit, ctx))
    return found


@router.get("/variants")
async def variants(
    request: Request,
    keys: list[Key] = Query(min_length=1, max_length=50),
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> list[AssignmentOut]:
    """The caller's variants (a page's server code calls ``Registry.variant`` directly)."""
    return [
        AssignmentOut(key=a.key, variant=a.variant, value=a.value, in_experiment=a.in_experiment)
        for a in await _assign(request, rt, user, keys)
    ]


@router.post("/experiments/{key}/exposure")
async def exposure(
    key: Key,
    request: Request,
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> dict[str, bool]:
    """The caller has just seen the variant: logged once (the server decides which variant)."""
    (found,) = await _assign(request, rt, user, [key])
    unit = _unit(registry_of(rt), key, request, user)
    if unit is None:
        return {"logged": False}
    seen: Seen = rt.services["experiment_seen"]
    async with rt.db.write() as s:
        logged = await do_expose(s, found, unit, seen, user_id=user.id if user else None)
    return {"logged": logged}
