"""Deals background jobs: end flash deals whose time is up and tell their rooms; with Redis
stock, re-sync live deals from the database."""

from __future__ import annotations

from hawker.core.clock import utcnow
from hawker.deals.service import do_end_due_deals
from hawker.deals.stock import deal_stock
from hawker.deals.stock_units import end_in_stock
from hawker.deals.ticker import notify_deal_ended
from hawker.infra.jobs import Jobs
from hawker.infra.runtime import Runtime


async def end_due_deals(rt: Runtime) -> int:
    async with rt.db.write() as s:
        ended = [(d.show_id, d.id) for d in await do_end_due_deals(s, utcnow())]
    await end_in_stock(rt, [deal_id for _, deal_id in ended])
    for show_id, deal_id in ended:
        await notify_deal_ended(rt.bus, show_id, deal_id, "expired")
    return len(ended)


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run() -> None:
        await end_due_deals(rt)

    jobs.every("end_deals", 1.0, run)
    stock = deal_stock(rt)
    if stock is not None:

        async def reconcile() -> None:
            await stock.reconcile()

        jobs.every("reconcile_stock", rt.settings.stock_reconcile_seconds, reconcile)
