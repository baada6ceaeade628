"""Experiment review pages: the list with a form to define one, and per experiment its
definition, the lifecycle forms (edit a draft, start, ramp, stop with a decision, kill) and
the results: SRM banner, guardrails, a table per metric with interval bars, lift over time.

Forms post url-encoded bodies (CSRF token in a field) and go through the experiments service,
which validates and audits; a rejected form comes back with the reason beside it, what was
typed kept, and the service's 4xx status. Accepted ones redirect (post/redirect/get).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from fastapi import Depends, Query
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hawker.accounts import audit
from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import HawkerError
from hawker.experiments import service, stats
from hawker.experiments.assignment import MAX_VARIANTS
from hawker.experiments.exposures import mixed_units
from hawker.experiments.metrics import METRICS
from hawker.experiments.models import Experiment, Layer
from hawker.experiments.pair_results import pair_results
from hawker.experiments.registry import registry_of
from hawker.experiments.results import (
    Baseline,
    baseline,
    experiment_daily,
    experiment_results,
    results_dict,
)
from hawker.experiments.schemas import BaselinePowerIn, Key, RampIn, Status, StopIn, UnitType
from hawker.infra.runtime import Runtime
from hawker.web import experiment_view as view
from hawker.web.experiment_form import (
    DefinitionForm,
    FormErrors,
    of_experiment,
    read_form,
    to_create,
    to_patch,
)
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
operator_user = require_role("operator")
STATUSES = get_args(Status)
UNIT_TYPES = get_args(UnitType)
DONE = {
    "created": "Experiment defined as a draft.",
    "saved": "Draft saved.",
    "started": "Started: units are being assigned.",
    "ramped": "Traffic and weights changed.",
    "stopped": "Stopped; the decision is recorded.",
    "killed": "Killed: everyone gets the control.",
}
HELPERS = {
    "num": view.num,
    "signed": view.signed,
    "pct": view.pct,
    "pval": view.pval,
    "p_is": view.p_is,
    "interval": view.interval,
    "plain": view.plain,
}


async def _layers(s: AsyncSession) -> dict[int, str]:
    return {i: k for i, k in await s.execute(select(Layer.id, Layer.key))}


def _form_context(form: DefinitionForm) -> dict[str, Any]:
    return {"form": form.with_spare_rows(), "metrics": list(METRICS.values()), "units": UNIT_TYPES}


def _problems(e: Exception) -> tuple[int, list[str]]:
    if isinstance(e, FormErrors):
        return 422, e.messages
    if isinstance(e, ValidationError):
        return 422, [f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()]
    assert isinstance(e, HawkerError)
    return e.status, [e.detail]


async def _changed(rt: Runtime, key: str, done: str) -> RedirectResponse:
    """After the unit committed: this process serves the change at once."""
    await registry_of(rt).refresh(rt.db, force=True)
    return RedirectResponse(f"/operator/experiments/{key}?done={done}", status_code=303)


async def _act(
    request: Request,
    rt: Runtime,
    key: str,
    name: str,
    done: str,
    act: Callable[[AsyncSession], Awaitable[object]],
    **page: Any,
) -> Response:
    """One change in a write unit, then the page again: refused input (the form's or the
    service's) shows beside the form ``name`` with its 4xx status and what was typed."""
    try:
        async with rt.db.write() as s:
            await act(s)
    except (FormErrors, ValidationError, HawkerError) as e:
        code, errors = _problems(e)
        return await _detail_page(request, rt, key, code, errors={name: errors}, **page)
    return await _changed(rt, key, done)


async def _list_page(
    request: Request,
    rt: Runtime,
    status: str | None,
    form: DefinitionForm,
    errors: list[str],
    status_code: int = 200,
    power: PowerAnswer | None = None,
) -> Response:
    async with rt.db.read() as s:
        rows = await service.list_experiments(s, status)
        layers = await _layers(s)
    return render(
        request,
        "operator/experiments.html",
        status_code=status_code,
        experiments=rows,
        layers=layers,
        status=status or "",
        statuses=STATUSES,
        errors=errors,
        power=power or PowerAnswer({"metric": "", "mde": "", "arms": "2", "days": "14"}, []),
        num=view.num,
        **_form_context(form),
    )


@dataclass(frozen=True)
class PowerAnswer:
    typed: dict[str, str]
    errors: list[str]
    found: Baseline | None = None
    units: int = 0
    days: int = 0


class PowerForm(BaseModel):
    """The calculator's fields as typed: the effect in percent, equal weights over ``arms``."""

    metric: Key
    mde: float = Field(gt=0, le=1000)
    arms: int = Field(default=2, ge=2, le=MAX_VARIANTS)
    days: int = Field(default=14, ge=1, le=365)


async def _power(rt: Runtime, params: Mapping[str, str]) -> PowerAnswer:
    """The power calculator for a defined metric, measured on the recent event log (as
    ``POST /api/experiments/power/baseline``)."""
    typed = {k: params.get(k, "").strip()[:20] for k in ("metric", "mde", "arms", "days")}
    try:
        f = PowerForm.model_validate({k: v for k, v in typed.items() if v})
        body = BaselinePowerIn(
            metric=f.metric, mde_rel=f.mde / 100, days=f.days, weights=[1.0] * f.arms
        )
        async with rt.db.read() as s:
            found = await baseline(s, body.metric, body.days, utcnow())
        units = stats.sample_size(
            found.sd, abs(found.mean) * body.mde_rel, body.alpha, body.power, tuple(body.weights)
        )
    except ValidationError as e:
        return PowerAnswer(typed, _problems(e)[1])
    except ValueError as e:  # refused: no effect to find (a zero mean), or beyond any sample
        return PowerAnswer(typed, [str(e)])
    except HawkerError as e:
        return PowerAnswer(typed, [e.detail])
    # units over all arms: with equal weights each arm holds 1/arms of them
    return PowerAnswer(typed, [], found, units, math.ceil(units / found.units_per_day))


@router.get("/operator/experiments")
async def experiments(
    request: Request,
    status: Status | None = Query(default=None),
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    power = await _power(rt, request.query_params) if "mde" in request.query_params else None
    return await _list_page(
        request, rt, status, DefinitionForm(), [], 422 if power and power.errors else 200, power
    )


@router.post("/operator/experiments")
async def create(
    request: Request, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    form = read_form(await request.form())
    try:
        body = to_create(form)
        async with rt.db.write() as s:
            experiment = await service.do_create(s, user, body)
    except (FormErrors, HawkerError) as e:
        code, errors = _problems(e)
        return await _list_page(request, rt, None, form, errors, code)
    return await _changed(rt, experiment.key, "created")


async def _results(
    s: AsyncSession, experiment: Experiment
) -> tuple[dict[str, Any] | None, list[view.MetricView], str]:
    """The results and a view per metric; a failure to analyse is shown, not raised. The
    lift-over-time plots come separately (``lift``): each re-analyses every day."""
    if experiment.started_at is None:
        return None, [], ""
    now = utcnow()
    try:
        found, guardrails = await experiment_results(s, experiment, now)
        body = results_dict(found, guardrails)
        body["mixed_examples"] = await mixed_units(s, experiment.id, limit=10)
    except HawkerError as e:
        return None, [], e.detail
    arms = [str(a) for a in body.get("arms", [])]
    return body, [view.metric_view(m, arms) for m in body["metrics"]], ""


async def _detail_page(
    request: Request,
    rt: Runtime,
    key: str,
    status_code: int = 200,
    *,
    errors: dict[str, list[str]] | None = None,
    form: DefinitionForm | None = None,
    typed: dict[str, Any] | None = None,
) -> Response:
    async with rt.db.read() as s:
        experiment = await service.access_experiment(s, key)
        layer = (await _layers(s)).get(experiment.layer_id, "")
        history = await audit.list_audit(s, target_type="experiment", target_id=key, limit=10)
        two_sided = None
        if experiment.unit_type == "pair" and experiment.started_at is not None:
            # its own estimators (TSRN, TSRI), not the per-variant table
            two_sided = await pair_results(s, experiment, registry_of(rt), utcnow())
            body, metric_views, results_error = None, list[view.MetricView](), ""
        else:
            body, metric_views, results_error = await _results(s, experiment)
    decided = next(
        (entry for entry in history if entry[0].action.split(".", 1)[1] in DECISIONS), None
    )
    weights = [int(v["weight"]) for v in experiment.variants]
    shown = FORMS[experiment.status]
    errors = errors or {}
    return render(
        request,
        "operator/experiment.html",
        status_code=status_code,
        e=experiment,
        layer=layer,
        entries=history,
        decided=decided,
        body=body,
        two_sided=two_sided,
        metric_views=metric_views,
        results_error=results_error,
        expected=view.expected_units(body["units"], weights) if body else [],
        extra=view.extras(body, view.TOP_KEYS) if body else [],
        design_text=view.design(body) if body else "",
        errors=errors,
        # a form the experiment's state no longer shows (a stale tab): its reason goes on top
        stray=[m for name, found in errors.items() if name not in shown for m in found],
        typed=typed or {},
        done=DONE.get(request.query_params.get("done", ""), ""),
        **_form_context(form or of_experiment(experiment, layer)),
        **HELPERS,
    )


DECISIONS = {"stop", "kill", "guardrail_stop"}
FORMS = {
    "draft": {"edit", "start", "kill"},
    "running": {"edit", "ramp", "stop", "kill"},
    "stopped": {"edit", "kill"},
    "killed": {"edit"},
}


@router.get("/operator/experiments/{key}")
async def experiment_page(
    request: Request, key: Key, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    return await _detail_page(request, rt, key)


@router.get("/operator/experiments/{key}/lift/{metric}")
async def lift(
    request: Request,
    key: Key,
    metric: Key,
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    """One metric's lift-over-time plot, a fragment the results page loads once it shows."""
    async with rt.db.read() as s:
        experiment = await service.access_experiment(s, key)
        days = await experiment_daily(s, experiment, metric, utcnow())
    arms = [str(v["key"]) for v in experiment.variants]
    plot = view.lift_over_time(days, arms[1:])
    return render(request, "operator/_lift.html", plot=plot, title=METRICS[metric].title)


@router.post("/operator/experiments/{key}")
async def edit(
    request: Request, key: Key, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    """Save a draft's definition."""
    form = read_form(await request.form())

    async def act(s: AsyncSession) -> object:
        return await service.do_update(s, user, key, to_patch(form))

    return await _act(request, rt, key, "edit", "saved", act, form=form)


@router.post("/operator/experiments/{key}/start")
async def start(
    request: Request, key: Key, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    return await _act(
        request, rt, key, "start", "started", lambda s: service.do_start(s, user, key)
    )


def _weights(form: FormData) -> list[str] | None:
    """Blank weights keep the current ones (traffic alone is ramped)."""
    found = [str(w).strip()[:20] for w in form.getlist("weight")]
    return found if any(found) else None


@router.post("/operator/experiments/{key}/ramp")
async def ramp(
    request: Request, key: Key, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    form = await request.form()
    typed = {"traffic": str(form.get("traffic", ""))[:20], "weights": _weights(form)}

    async def act(s: AsyncSession) -> object:
        body = RampIn.model_validate(typed)
        return await service.do_ramp(s, user, key, body.traffic, body.weights)

    return await _act(request, rt, key, "ramp", "ramped", act, typed=typed)


@router.post("/operator/experiments/{key}/stop")
async def stop(
    request: Request, key: Key, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    """Record the decision: ship a variant (or none) and why."""
    form = await request.form()
    ship = str(form.get("ship", "")).strip()[:40]
    typed = {"ship": ship, "reason": str(form.get("reason", "")).strip()[:2100]}

    async def act(s: AsyncSession) -> object:
        body = StopIn.model_validate({"ship": ship or None, "reason": typed["reason"]})
        return await service.do_stop(s, user, key, body.ship, body.reason)

    return await _act(request, rt, key, "stop", "stopped", act, typed=typed)


@router.post("/operator/experiments/{key}/kill")
async def kill(
    request: Request, key: Key, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    """The kill switch; the confirmation box is checked on the server too."""
    form = await request.form()
    reason = str(form.get("reason", "")).strip()[:2100]
    typed = {"kill_reason": reason}
    errors = [] if form.get("confirm") == "yes" else ["Tick the box to confirm the kill."]
    if not reason or len(reason) > 2000:
        errors.append("Reason: say why, in 1 to 2000 characters.")
    if errors:
        return await _detail_page(request, rt, key, 422, errors={"kill": errors}, typed=typed)
    return await _act(
        request,
        rt,
        key,
        "kill",
        "killed",
        lambda s: service.do_kill(s, user, key, reason),
        typed=typed,
    )
