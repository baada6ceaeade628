"""Campaigns background jobs: keep campaign GMV in step with payments and refunds."""

from __future__ import annotations

from hawker.campaigns import listeners
from hawker.infra.jobs import Jobs
from hawker.infra.runtime import Runtime


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run() -> None:
        await listeners.run_listeners(rt)

    jobs.every("campaign_gmv", rt.settings.campaign_gmv_sweep_seconds, run)
