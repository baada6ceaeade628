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
    def __init__(self, bus: Bus, period: float, gate: SoldOutGate) -> None:
        self.bus, self.period, self.gate = bus, period, gate
        self._pending: dict[int, tuple[int, int]] = {}  # deal -> (show, left)
        self._published: dict[int, int] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}

    async def stock_changed(self, show_id: int, deal_id: int, left: int) -> None:
        self.gate.observed(deal_id, left)
        before = self._published.get(deal_id)
        if left == 0 or before == 0 or before is None:
            await self._publish(show_id, deal_id, left)
            return
        self._pending[deal_id] = (show_id, left)
        if deal_id not in self._timers:
            loop = asyncio.get_running_loop()
            self._timers[deal_id] = loop.call_later(
                self.period, lambda: loop.create_task(self._flush(deal_id))
            )

    async def _flush(self, deal_id: int) -> None:
        self._timers.pop(deal_id, None)
        pending = self._pending.pop(deal_id, None)
        if pending is not None:
            await self._publish(pending[0], deal_id, pending[1])

    async def _publish(self, show_id: int, deal_id: int, left: int) -> None:
        self._pending.pop(deal_id, None)
        timer = self._timers.pop(deal_id, None)
        if timer is not None:
            timer.cancel()
        self._published[deal_id] = left
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
