"""Flash-deal stock in Redis (scale-out: ``settings.redis_url`` set), kept true to the database.

Redis decides first, so the crowd's refusals never reach the database; the conditional update
in ``deals/inventory.py`` still decides last, so a Redis that is wrong can only refuse too
much or let the database refuse instead: it can never oversell. This module speaks the
domain's language to the generic engine in ``infra/inventory_redis.py``: it rebuilds a deal
Redis lost from the database, re-syncs live deals (the reconcile job) and maps verdicts to
domain errors. The rule that keeps re-syncs from racing in-flight reservations is in
docs/inventory.md.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from hawker.core.clock import utcnow
from hawker.core.db import Database
from hawker.core.errors import NotFound
from hawker.deals.baseline import LOCKING_BASELINE
from hawker.deals.errors import BuyerLimitExceeded, DealNotLive, DealSoldOut, StockRefusal
from hawker.deals.gate import SoldOutGate
from hawker.deals.models import DealBuyer, FlashDeal
from hawker.infra.inventory_redis import (
    NO_KEY,
    Attempt,
    DealSnapshot,
    Hold,
    InventoryUnavailable,
    RedisInventory,
    Verdict,
)
from hawker.infra.runtime import Runtime

log = logging.getLogger(__name__)
SERVICE = "deal_stock"


def now_ms(at: datetime | None = None) -> int:
    """Milliseconds since the epoch; naive datetimes are UTC (core.clock)."""
    at = at or utcnow()
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp() * 1000)


@dataclass
class Reconciled:
    checked: int = 0
    rebuilt: int = 0
    resynced: int = 0
    busy: int = 0  # changes in flight: left for the next round
    drift: int = 0  # units corrected (database available - Redis available), summed


class DealStock:
    def __init__(self, inventory: RedisInventory, db: Database, *, rebuild_wait: float = 5.0):
        self.inventory, self.db, self.rebuild_wait = inventory, db, rebuild_wait

    async def hold(
        self, deal_id: int, buyer_id: int, quantity: int, key: str = NO_KEY
    ) -> Hold | None:
        """Take the units in Redis, or raise the refusal (a ``StockRefusal`` that says whether
        the request's Idempotency-Key token ``key`` may have won this deal before). None: Redis
        is unreachable or keeps losing the deal, so the database alone decides this one."""
        try:
            for _ in range(3):
                attempt = await self.inventory.reserve(deal_id, buyer_id, quantity, now_ms(), key)
                if attempt.verdict is not Verdict.NOT_LOADED:
                    return _held_or_refused(deal_id, quantity, attempt)
                await self.rebuild(deal_id)
        except InventoryUnavailable as e:
            log.warning("Redis stock failed (%r); deal %s decided by the database", e, deal_id)
        return None

    async def rebuild(self, deal_id: int, *, launch: bool = False) -> None:
        """Load a deal Redis does not have from the database. One node rebuilds (under a
        short lock); the others wait until the deal is back. ``launch``: the deal was just
        launched, so if nobody has bought it yet, Redis will see every winning key (fresh)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.rebuild_wait
        while not await self.inventory.is_loaded(deal_id):
            lock = self.inventory.rebuild_lock(deal_id)
            if await lock.acquire(blocking=False):
                try:  # checked again under the lock: the last holder may have just loaded it
                    if not await self.inventory.is_loaded(deal_id):
                        snap = await self.read_snapshot(deal_id, launch=launch)
                        if snap is None:
                            raise NotFound(f"deal {deal_id} does not exist")
                        await self.inventory.load(snap)
                finally:
                    await lock.release()
                return
            if loop.time() > deadline:
                raise InventoryUnavailable(f"deal {deal_id} was not rebuilt in time")
            await asyncio.sleep(0.01)

    async def read_snapshot(self, deal_id: int, *, launch: bool = False) -> DealSnapshot | None:
        """The deal as the database has it. Fresh only at launch with no buyer row yet (rows
        are never deleted, so a buyer whose order was cancelled still counts): a rebuild after a
        loss cannot know the keys of winners whose commit is still in flight."""
        async with self.db.read() as s:
            deal = await s.get(FlashDeal, deal_id)
            if deal is None:
                return None
            rows = (
                await s.execute(
                    select(DealBuyer.buyer_id, DealBuyer.quantity).where(
                        DealBuyer.deal_id == deal_id
                    )
                )
            ).all()
            return DealSnapshot(
                deal_id,
                deal.available,
                deal.per_buyer_limit,
                now_ms(deal.ends_at),
                deal.status == "live",
                {r.buyer_id: r.quantity for r in rows if r.quantity > 0},
                fresh=launch and not rows,
            )

    async def reconcile(self) -> Reconciled:
        """Re-sync every deal that may still sell (its end is ahead) from the database, where
        nothing is in flight; give up the in-flight entries of dead nodes first."""
        now = utcnow()
        async with self.db.read() as s:
            ids = list(await s.scalars(select(FlashDeal.id).where(FlashDeal.ends_at > now)))
        done = Reconciled()
        for deal_id in ids:
            done.checked += 1
            sweep = await self.inventory.sweep(deal_id, now_ms(now))
            if not sweep.ready:
                await self.rebuild(deal_id)
                done.rebuilt += 1
                continue
            if sweep.pending:
                done.busy += 1
                continue
            snap = await self.read_snapshot(deal_id)
            drift = None if snap is None else await self.inventory.resync(snap, sweep.ops)
            if drift is None:
                done.busy += 1
                continue
            done.resynced += 1
            done.drift += drift
            if drift:
                log.warning("deal %s: Redis stock was off by %+d; re-synced", deal_id, drift)
        return done


def _held_or_refused(deal_id: int, quantity: int, attempt: Attempt) -> Hold:
    if attempt.hold is not None:
        return attempt.hold
    refusal: StockRefusal
    if attempt.verdict is Verdict.NOT_LIVE:
        refusal = DealNotLive(f"deal {deal_id} is not live")
    elif attempt.verdict is Verdict.OVER_LIMIT:
        refusal = BuyerLimitExceeded(
            f"this deal's per-buyer limit leaves you fewer than {quantity} more unit(s)"
        )
    elif attempt.left:
        refusal = DealSoldOut(
            f"deal {deal_id} has {attempt.left} left; you asked for {quantity}",
            deal_id=deal_id,
            left=attempt.left,
        )
    else:
        refusal = DealSoldOut(f"deal {deal_id} is sold out", deal_id=deal_id, left=0)
    refusal.may_replay = attempt.may_replay
    raise refusal


def install_deal_stock(rt: Runtime) -> None:
    """Chosen by configuration (``stock_engine``): Redis stock when ``redis_url`` is set,
    else nothing (SQL decides alone); or the row-locking baseline, with no sold-out gate, as
    the naive shop it stands for has none."""
    engine = rt.settings.stock_engine
    LOCKING_BASELINE.on = engine == "locking"
    if engine == "locking":
        rt.services["sold_out_gate"] = SoldOutGate(ttl=0)
    elif engine == "auto" and rt.settings.redis_url:
        inventory = RedisInventory.from_url(
            rt.settings.redis_url, prefix=f"{rt.settings.redis_prefix}stock:"
        )
        rt.services[SERVICE] = DealStock(inventory, rt.db)


def deal_stock(rt: Runtime) -> DealStock | None:
    stock: DealStock | None = rt.services.get(SERVICE)
    return stock


async def close_deal_stock(rt: Runtime) -> None:
    stock = rt.services.pop(SERVICE, None)
    if stock is not None:
        await stock.inventory.aclose()
