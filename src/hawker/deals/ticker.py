"""Room notifications for deals; stock-left updates are coalesced per deal.

Thousands of purchases a second must not become thousands of room events: the ticker publishes
``deal.stock`` at most once per coalescing period, except that hitting zero (and coming back
from zero) is published at once, so "Sold out" shows for everyone at the same moment.
"""

from __future__ import annotations

import asyncio

from hawker.deals.gate import SoldOutGate, sold_out_gate
from hawker.deals.schemas import DealOut
from hawker.infra.bus import Bus
from hawker.infra.runtime import Runtime
from hawker.live.service import room_channel


async def notify_deal_started(bus: Bus, deal: DealOut) -> None:
    await bus.publish(
        room_channel(deal.show_id), "deal.started", {"deal": deal.model_dump(mode="json")}
    )


async def notify_deal_ended(bus: Bus, show_id: int, deal_id: int, reason: str) -> None:
    await bus.publish(room_channel(show_id), "deal.ended", {"deal_id": deal_id, "reason": reason})


class DealTicker:
    """Per deal: publish now if the last ``deal.stock`` is at least ``period`` old (or this is
    the first), else once when the period is up with the latest count. Zero, and leaving zero,
    go out at once."""

    def __init__(self, bus: Bus, period: float, gate: SoldOutGate) -> None:
        self.bus, self.period, self.gate = bus, period, gate
        self._pending: dict[int, tuple[int, int]] = {}  # deal -> (show, left)
        self._published: dict[int, tuple[float, int]] = {}  # deal -> (loop time, left)
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._flushing: set[asyncio.Task[None]] = set()

    async def stock_changed(self, show_id: int, deal_id: int, left: int) -> None:
        self.gate.observed(deal_id, left)
        loop = asyncio.get_running_loop()
        last = self._published.get(deal_id)
        if last is None or left == 0 or last[1] == 0 or loop.time() - last[0] >= self.period:
            await self._publish(show_id, deal_id, left)
            return
        self._pending[deal_id] = (show_id, left)
        if deal_id not in self._timers:
            self._timers[deal_id] = loop.call_at(last[0] + self.period, self._flush_soon, deal_id)

    def _flush_soon(self, deal_id: int) -> None:
        self._timers.pop(deal_id, None)
        pending = self._pending.pop(deal_id, None)
        if pending is not None:
            show_id, left = pending
            task = asyncio.get_running_loop().create_task(self._publish(show_id, deal_id, left))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)

    async def _publish(self, show_id: int, deal_id: int, left: int) -> None:
        self._pending.pop(deal_id, None)
        timer = self._timers.pop(deal_id, None)
        if timer is not None:
            timer.cancel()
        self._published[deal_id] = (asyncio.get_running_loop().time(), left)
        await self.bus.publish(
            room_channel(show_id), "deal.stock", {"deal_id": deal_id, "left": left}
        )


def deal_ticker(rt: Runtime) -> DealTicker:
    ticker = rt.services.get("deal_ticker")
    if ticker is None:
        ticker = rt.services["deal_ticker"] = DealTicker(
            rt.bus, rt.settings.coalesce_seconds, sold_out_gate(rt)
        )
    assert isinstance(ticker, DealTicker)
    return ticker
