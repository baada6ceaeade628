"""Orders background jobs: pending orders whose reservation ran out are cancelled and their
stock goes back on sale."""

from __future__ import annotations

import logging

from hawker.deals.stock_units import stock_write
from hawker.infra.jobs import Jobs
from hawker.infra.runtime import Runtime
from hawker.orders import service
from hawker.orders.errors import IllegalTransition
from hawker.orders.notify import notify_stock

log = logging.getLogger(__name__)


async def expire_due_orders(rt: Runtime) -> int:
    async with rt.db.read() as s:
        due = await service.due_orders(s)
    expired = 0
    for order_id in due:
        try:  # one unit per order: a payment racing this one wins or loses cleanly
            async with stock_write(rt) as s:
                order = await service.do_cancel(
                    s, await service.access_order(s, order_id), expired=True
                )
        except IllegalTransition:
            continue  # paid or cancelled meanwhile
        expired += 1
        await notify_stock(rt, order)
    return expired


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run() -> None:
        await expire_due_orders(rt)

    jobs.every("expire_orders", rt.settings.expiry_sweep_seconds, run)
