"""The two halves of a stock change made in Redis around a database unit of work.

A purchase takes its units in Redis *before* the unit (so refusals never reach the database)
and confirms them after the commit; a release is recorded in Redis as in flight *before* the
commit and applied after it. Whatever does not commit is given back. The Redis side runs in a
shielded task so a request that dies (client gone, cancelled) still gives its units back; a
node killed outright leaves in-flight entries that the reconcile job repairs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.deals.gate import sold_out_gate
from hawker.deals.stock import DealStock, deal_stock, now_ms
from hawker.infra.inventory_redis import Hold, InventoryUnavailable
from hawker.infra.runtime import Runtime

log = logging.getLogger(__name__)
RELEASES = "deal_stock_releases"  # session.info key: the unit's pending releases
_settling: set[asyncio.Task[None]] = set()  # strong references until each finishes


async def _shielded(steps: list[Callable[[], Awaitable[object]]]) -> None:
    async def run() -> None:
        for step in steps:
            try:
                await step()
            except InventoryUnavailable:
                log.warning("Redis stock step failed; the reconcile job repairs it")

    task = asyncio.get_running_loop().create_task(run())
    _settling.add(task)
    task.add_done_callback(_settling.discard)
    await asyncio.shield(task)


class Holds:
    """Units one order attempt holds in Redis: confirmed if ``keep()`` was called (the order
    committed), else given back."""

    def __init__(self, stock: DealStock | None) -> None:
        self.stock, self.held, self.kept = stock, list[Hold](), False
        # Whether an earlier attempt with the same key may have an order: unknown without Redis
        # stock, or for a line Redis did not decide; else as Redis says of each line's key.
        self.may_replay = True

    def keep(self) -> None:
        self.kept = True

    async def __aenter__(self) -> Holds:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        stock, held, self.held = self.stock, self.held, []
        if stock is None or not held:
            return
        step = stock.inventory.confirm if self.kept else stock.inventory.cancel
        await _shielded([partial(step, h) for h in held])


async def take_holds(rt: Runtime, buyer_id: int, lines: list[tuple[int, int]], key: str) -> Holds:
    """Hold ``(deal, quantity)`` lines in Redis for a buyer, all or none (a refusal gives back
    what the earlier lines took). ``key``: the request's Idempotency-Key token. Without Redis
    stock, an empty ``Holds``."""
    holds = Holds(deal_stock(rt))
    if holds.stock is None:
        return holds
    holds.may_replay = not lines
    try:
        for deal_id, quantity in lines:
            hold = await holds.stock.hold(deal_id, buyer_id, quantity, key)
            holds.may_replay |= hold is None or hold.may_replay
            if hold is not None:
                holds.held.append(hold)
    except BaseException:
        await holds.__aexit__(None, None, None)
        raise
    return holds


class Releases:
    """Releases made in one database unit, as recorded in Redis before its commit."""

    def __init__(self, stock: DealStock) -> None:
        self.stock = stock
        self.pending: list[tuple[Hold, bool]] = []

    async def intend(
        self, deal_id: int, buyer_id: int, quantity: int, *, back_on_sale: bool
    ) -> None:
        try:
            release = await self.stock.inventory.intend_release(
                deal_id, buyer_id, quantity, now_ms()
            )
        except InventoryUnavailable:
            log.warning("Redis stock unreachable; deal %s re-synced later", deal_id)
            return
        self.pending.append((release, back_on_sale))

    async def settle(self, *, committed: bool) -> None:
        inventory, pending, self.pending = self.stock.inventory, self.pending, []
        if not pending:
            return
        if committed:
            await _shielded(
                [partial(inventory.apply_release, r, back_on_sale=b) for r, b in pending]
            )
        else:
            await _shielded([partial(inventory.withdraw, r) for r, _ in pending])


@asynccontextmanager
async def stock_write(rt: Runtime) -> AsyncIterator[AsyncSession]:
    """``rt.db.write()`` for units that may release deal reservations: with Redis stock, each
    release (``deals.inventory.do_release``) reaches Redis after the commit."""
    stock = deal_stock(rt)
    if stock is None:
        async with rt.db.write() as s:
            yield s
        return
    releases = Releases(stock)
    try:
        async with rt.db.write() as s:
            s.info[RELEASES] = releases
            yield s
    except BaseException:
        await releases.settle(committed=False)
        raise
    await releases.settle(committed=True)


async def end_in_stock(rt: Runtime, deal_ids: list[int]) -> None:
    """After the deals ended in the database: Redis stops selling them too; without Redis
    stock, this process's sold-out gate lets their tokens go."""
    stock = deal_stock(rt)
    if stock is None:
        sold_out_gate(rt).ended(deal_ids)
        return
    await _shielded([partial(stock.inventory.end, d) for d in deal_ids])


async def warm_stock(rt: Runtime, deal_id: int) -> None:
    """A deal was just launched: load it into Redis so its first buyers do not wait for a
    rebuild; without Redis stock, tell this process's sold-out gate that nobody tried it yet."""
    stock = deal_stock(rt)
    if stock is None:
        sold_out_gate(rt).launched(deal_id)
        return
    try:
        await stock.rebuild(deal_id, launch=True)
    except InventoryUnavailable:
        log.warning("Redis stock unreachable; deal %s loads on first purchase", deal_id)
