"""What the room and the host's studio learn when orders change."""

from __future__ import annotations

from hawker.deals.ticker import deal_ticker
from hawker.infra.runtime import Runtime
from hawker.live.service import room_channel, studio_channel
from hawker.orders import service
from hawker.orders.models import Order


def masked(name: str) -> str:
    """ "Someone just bought" shows who only as far as an initial."""
    return (name.strip()[:1] or "S").upper() + "***"


async def notify_stock(rt: Runtime, order: Order) -> None:
    deal_ids = [line.deal_id for line in order.lines if line.deal_id]
    if not deal_ids:
        return
    async with rt.db.read() as s:
        left = await service.deal_left(s, deal_ids)
    for deal_id, (show_id, available) in left.items():
        await deal_ticker(rt).stock_changed(show_id, deal_id, available)


async def notify_left(rt: Runtime, deals_left: dict[int, tuple[int, int]]) -> None:
    """Units left per deal ({deal: (show, left)}), as read inside the buying transaction."""
    for deal_id, (show_id, left) in deals_left.items():
        await deal_ticker(rt).stock_changed(show_id, deal_id, left)


async def notify_paid(rt: Runtime, order: Order, buyer_name: str) -> None:
    if order.show_id is None:
        return
    first = order.lines[0]
    await rt.bus.publish(
        room_channel(order.show_id),
        "purchase",
        {
            "name": masked(buyer_name),
            "product_title": first.title.split(" · ")[0],
            "product_id": first.product_id,
            "quantity": sum(x.quantity for x in order.lines),
        },
    )
    async with rt.db.read() as s:
        stats = await service.show_stats(s, order.show_id)
    await rt.bus.publish(studio_channel(order.show_id), "stats", stats)
