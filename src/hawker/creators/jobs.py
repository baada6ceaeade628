"""Creators background jobs: settle commissions of paid and refunded orders, and resend
payouts a crash left pending."""

from __future__ import annotations

from hawker.creators import earnings
from hawker.infra.jobs import Jobs
from hawker.infra.runtime import Runtime


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run() -> None:
        await earnings.settle_due(rt)
        await earnings.retry_stuck_payouts(rt)

    jobs.every("settle_commissions", rt.settings.ledger_sweep_seconds, run)
