"""Creators background jobs: settle commissions and sales of paid and refunded orders, resend
payouts a crash left pending, recompute host tiers and pay out ended creator fund periods."""

from __future__ import annotations

from hawker.creators import earnings, fund, listeners, tiers
from hawker.infra.jobs import Jobs
from hawker.infra.runtime import Runtime


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run() -> None:
        await listeners.run_listeners(rt)
        await earnings.retry_stuck_payouts(rt)

    jobs.every("settle_commissions", rt.settings.ledger_sweep_seconds, run)

    async def recompute_tiers() -> None:
        async with rt.db.write() as s:
            await tiers.do_recompute(s)

    jobs.every("recompute_tiers", rt.settings.tier_recompute_seconds, recompute_tiers)

    async def settle_fund() -> None:
        await fund.settle_due(rt)

    jobs.every("settle_creator_fund", rt.settings.creator_fund_sweep_seconds, settle_fund)
