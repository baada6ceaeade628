"""Experiments background job: guardrails of running experiments are checked every
``HAWKER_EXPERIMENT_GUARDRAIL_SECONDS``; one harmed beyond its threshold (on the always-valid
interval, so checking often is safe) stops the experiment as the kill switch would."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.experiments import service
from hawker.experiments.registry import registry_of
from hawker.experiments.results import experiment_results
from hawker.infra.jobs import Jobs
from hawker.infra.runtime import Runtime


async def do_guardrail_stop(s: AsyncSession, key: str, harmed: list[str]) -> None:
    """Audited under the experiment's creator (the job has no account of its own); the
    reason says it was automatic and which guardrails were harmed."""
    experiment = await service.access_experiment(s, key, lock=True)
    if experiment.status != "running":
        return
    creator = await s.get(User, experiment.created_by)
    assert creator is not None
    reason = f"automatic stop: guardrail {', '.join(harmed)} harmed beyond its threshold"
    await service.do_kill(s, creator, key, reason, action="guardrail_stop")


async def check_guardrails(rt: Runtime) -> list[str]:
    """Stop every running experiment with a harmed guardrail; the keys stopped."""
    async with rt.db.read() as s:
        running = [e for e in await service.list_experiments(s, "running") if e.guardrails]
    stopped = []
    for experiment in running:
        async with rt.db.read() as s:
            _, guardrails = await experiment_results(s, experiment, utcnow())
        harmed = [g.metric for g in guardrails if g.harmed]
        if harmed:
            async with rt.db.write() as s:
                await do_guardrail_stop(s, experiment.key, harmed)
            stopped.append(experiment.key)
    if stopped:
        await registry_of(rt).refresh(rt.db, force=True)
    return stopped


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run() -> None:
        await check_guardrails(rt)

    jobs.every("experiment_guardrails", rt.settings.experiment_guardrail_seconds, run)
