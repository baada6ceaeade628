"""Deals background jobs: end flash deals whose time is up and tell their rooms."""

from __future__ import annotations

from hawker.core.clock import utcnow
from hawker.deals.service import do_end_due_deals
from hawker.deals.ticker import notify_deal_ended
from hawker.infra.jobs import Jobs
from hawker.infra.runtime import Runtime


async def end_due_deals(rt: Runtime) -> int:
    async with rt.db.write() as s:
        ended = [(d.show_id, d.id) for d in await do_end_due_deals(s, utcnow())]
    for show_id, deal_id in ended:
        await notify_deal_ended(rt.bus, show_id, deal_id, "expired")
    return len(ended)


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run() -> None:
        await end_due_deals(rt)

    jobs.every("end_deals", 1.0, run)
