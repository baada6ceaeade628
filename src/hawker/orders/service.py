"""Orders rules: placing orders on reserved stock, paying, moving through the state machine.

Every status change is a conditional UPDATE from the state it was read in, so two racing
actors (a payment and the expiry job, say) resolve to exactly one winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.analytics.service import record
from hawker.campaigns.coupon_pricing import Line
from hawker.campaigns.coupon_uses import do_redeem, do_return_uses
from hawker.campaigns.service import deal_prices as campaign_deal_prices
from hawker.catalog.models import Merchant, Product, Sku
from hawker.core import outbox
from hawker.core.clock import utcnow
from hawker.core.errors import Forbidden, NotFound
from hawker.core.hot_sql import HotStatement, execute
from hawker.core.money import format_money
from hawker.deals import service as deals
from hawker.deals.models import FlashDeal
from hawker.orders.attribution import FeedClick, Lookback, credit
from hawker.orders.discounts import price_order
from hawker.orders.errors import IllegalTransition, MixedOrder
from hawker.orders.models import Order, OrderLine, OrderRefund
from hawker.orders.schemas import ItemIn, LineOut, OrderOut
from hawker.orders.states import GMV_STATES, REFUNDABLE, check_transition

STAMP = {
    "paid": "paid_at",
    "shipped": "shipped_at",
    "delivered": "delivered_at",
    "completed": "closed_at",
    "cancelled": "closed_at",
    "refunded": "closed_at",
}

# Built once: bound at execution, so the hot path does not rebuild them per order.
ORDERS, LINES = cast(Table, Order.__table__), cast(Table, OrderLine.__table__)
INSERT_ORDER = HotStatement(insert(ORDERS).returning(ORDERS.c.id))
INSERT_LINE = HotStatement(insert(LINES))
SKU_LINE = (
    select(Product.id, Product.title, Product.merchant_id, Sku.name)
    .select_from(Product)
    .join(Sku, Sku.product_id == Product.id)
    .where(Sku.id == bindparam("sku"))
)


@dataclass
class Placed:
    """A new pending order, and what its deal lines left on sale (for the ticker)."""

    order: Order
    deals_left: dict[int, tuple[int, int]] = field(default_factory=dict)  # deal -> (show, left)


async def _reserve_line(
    s: AsyncSession, buyer: User, item: ItemIn, ttl: int, take_last: bool
) -> dict[str, Any]:
    """Reserve one line and learn what the order needs to know about it (title, merchant; for
    a deal its show, host and units left: read by the deal's take itself)."""
    if item.deal_id is not None:
        held = await deals.do_reserve_deal(
            s,
            buyer_id=buyer.id,
            deal_id=item.deal_id,
            quantity=item.quantity,
            ttl_seconds=ttl,
            take_last=take_last,
        )
        return {
            "reservation": held.reservation,
            "product_id": held.product_id,
            "merchant_id": held.merchant_id,
            "title": held.title,
            "deal": (held.show_id, held.left, held.host_id),
        }
    assert item.sku_id is not None
    r = await deals.do_reserve_sku(
        s, buyer_id=buyer.id, sku_id=item.sku_id, quantity=item.quantity, ttl_seconds=ttl
    )
    row = (await s.execute(SKU_LINE, {"sku": r.sku_id})).one()
    return {
        "reservation": r,
        "product_id": row.id,
        "merchant_id": row.merchant_id,
        "title": f"{row.title} · {row.name}",
        "deal": None,
    }


async def do_place_order(
    s: AsyncSession,
    buyer: User,
    items: list[ItemIn],
    *,
    channel: str,
    show_id: int | None,
    ttl_seconds: int,
    video_id: int | None = None,
    lookback: Lookback = Lookback(),
    coupons: Sequence[str] = (),
    feed: FeedClick | None = None,
    take_last: bool = False,
) -> Placed:
    """Reserve every line (all or nothing: any refusal rolls the unit back) and open a pending
    order, attributed once, here (``attribution.credit``). ``coupons`` take their uses in the
    same unit; the total is net of their discount. Plain INSERTs rather than an ORM flush: this
    is the flash-sale hot path. ``take_last``: the deal lines' units are held in Redis; the
    unit must end with ``do_take_last``."""
    lines = [await _reserve_line(s, buyer, item, ttl_seconds, take_last) for item in items]
    merchants = {line["merchant_id"] for line in lines}
    currencies = {line["reservation"].currency for line in lines}
    if len(merchants) > 1 or len(currencies) > 1:
        raise MixedOrder(
            "an order holds products of one merchant in one currency; "
            "use the cart to buy from several merchants"
        )
    placed_deals = {
        line["reservation"].deal_id: line["deal"] for line in lines if line["deal"] is not None
    }
    first_deal = next(iter(placed_deals.values()), None)
    by = await credit(
        s,
        buyer.id,
        {x["product_id"] for x in lines},
        channel=channel,
        show_id=show_id,
        video_id=video_id,
        deal_show=(first_deal[0], first_deal[2]) if first_deal else None,
        lookback=lookback,
        feed=feed,
    )
    merchant_id, currency = merchants.pop(), currencies.pop()
    now = utcnow()
    await _festival_prices(s, lines, currency, now)
    pricing = await price_order(
        s,
        buyer,
        coupons,
        currency,
        [
            Line(
                x["product_id"],
                merchant_id,
                x["unit_price"] * x["reservation"].quantity,
            )
            for x in lines
        ],
    )
    values: dict[str, Any] = {
        "buyer_id": buyer.id,
        "merchant_id": merchant_id,
        "status": "pending",
        "currency": currency,
        "channel": by.channel,
        "show_id": by.show_id,
        "host_id": by.host_id,
        "video_id": by.video_id,
        "link_id": by.link_id,
        "section_id": by.section_id,
        "total": pricing.total,
        "discount": pricing.discount,
        "platform_discount": pricing.platform_discount,
        "created_at": now,
        "expires_at": now + timedelta(seconds=ttl_seconds),
        "refunded_amount": 0,
    }
    [(order_id,)] = await execute(s, INSERT_ORDER, values)
    line_values = [
        {
            "order_id": order_id,
            "product_id": line["product_id"],
            "sku_id": line["reservation"].sku_id,
            "deal_id": line["reservation"].deal_id,
            "reservation_id": line["reservation"].id,
            "quantity": line["reservation"].quantity,
            "unit_price": line["unit_price"],
            "discount": discount,
            "title": line["title"],
        }
        for line, discount in zip(lines, pricing.line_discounts, strict=True)
    ]
    await execute(s, INSERT_LINE, line_values)
    if pricing.applied:
        await do_redeem(s, buyer, pricing, order_id)
    # A detached snapshot for the response and notifications; nothing reads it back.
    order = Order(id=order_id, paid_at=None, payment_id=None, **values)
    order.lines = [OrderLine(**x) for x in line_values]
    left = {deal: (show, available) for deal, (show, available, _) in placed_deals.items()}
    return Placed(order, left)


async def do_take_last(s: AsyncSession, placed: Placed) -> None:
    """The deal updates left for last (``take_last``), as the unit's final statements; the
    ticker then tells what they left."""
    for deal_id, left in (await deals.do_take_last(s)).items():
        show_id, _ = placed.deals_left[deal_id]
        placed.deals_left[deal_id] = (show_id, left)


async def _festival_prices(
    s: AsyncSession, lines: list[dict[str, Any]], currency: str, now: datetime
) -> None:
    """Each line's unit price: a running campaign's approved deal price for the product when
    lower than the SKU's (flash-deal lines keep their deal price)."""
    skus = [x["product_id"] for x in lines if x["deal"] is None]
    prices = await campaign_deal_prices(s, skus, currency, now) if skus else {}
    for x in lines:
        price = x["reservation"].unit_price
        x["unit_price"] = (
            min(price, prices.get(x["product_id"], price)) if x["deal"] is None else price
        )


async def access_order(s: AsyncSession, order_id: int) -> Order:
    order = await s.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    return order


async def access_order_as_buyer(s: AsyncSession, user: User, order_id: int) -> Order:
    order = await access_order(s, order_id)
    if order.buyer_id != user.id and "operator" not in user.roles:
        raise NotFound(f"order {order_id} does not exist")  # no hint that it exists
    return order


async def access_order_as_merchant(s: AsyncSession, user: User, order_id: int) -> Order:
    order = await access_order(s, order_id)
    if "operator" in user.roles:
        return order
    owner = await s.scalar(select(Merchant.owner_id).where(Merchant.id == order.merchant_id))
    if owner != user.id:
        raise Forbidden(f"order {order_id} belongs to another merchant")
    return order


async def do_transition(s: AsyncSession, order: Order, to: str, **values: Any) -> Order:
    """Move ``order`` from the state it was read in to ``to``, or fail loudly."""
    check_transition(order.id, order.status, to)
    values = {"status": to, STAMP[to]: utcnow(), **values}
    changed = await s.scalar(
        update(Order)
        .where(Order.id == order.id, Order.status == order.status)
        .values(**values)
        .returning(Order.id)
    )
    if changed is None:
        await s.refresh(order)
        raise IllegalTransition(
            f"order {order.id} is now {order.status}; it cannot become {to}",
            status_now=order.status,
        )
    await s.refresh(order)
    return order


async def do_mark_paid(s: AsyncSession, order: Order, payment_id: str) -> Order:
    """Settle every reservation (fails if any expired), then pending → paid."""
    for line in order.lines:
        await deals.do_settle(s, line.reservation_id)
    order = await do_transition(s, order, "paid", payment_id=payment_id)
    await emit_money(s, order)
    return order


async def do_cancel(s: AsyncSession, order: Order, *, expired: bool = False) -> Order:
    """pending → cancelled, returning the reserved stock and the coupon uses."""
    order = await do_transition(s, order, "cancelled")
    await do_return_uses(s, order.id)
    for line in order.lines:
        await deals.do_release(s, line.reservation_id, state="expired" if expired else "released")
    return order


async def do_apply_refund(s: AsyncSession, order_id: int, ref: str, amount: int) -> Order:
    """Count a refund the provider made, once per ``ref``, capped at what is still paid; the
    order becomes refunded when nothing is left. The row lock orders concurrent refunds."""
    order = await s.get(Order, order_id, with_for_update=True, populate_existing=True)
    assert order is not None
    if await s.scalar(select(OrderRefund.id).where(OrderRefund.ref == ref)) is not None:
        return order
    amount = min(amount, order.total - order.refunded_amount)
    if amount < 1 or order.status not in REFUNDABLE:
        return order
    s.add(OrderRefund(order_id=order.id, ref=ref, amount=amount))
    refunded = order.refunded_amount + amount
    if refunded == order.total:  # a full refund gives the coupon uses back; a partial one not
        order = await do_transition(s, order, "refunded", refunded_amount=refunded)
        await do_return_uses(s, order.id)
    else:
        order.refunded_amount = refunded
        await s.flush()
    await emit_money(s, order)
    # experiments' refund-rate guardrail reads refunds from the event log, next to purchases
    await record(s, "refund", user_id=order.buyer_id, order_id=order.id, value=amount)
    return order


async def emit_money(s: AsyncSession, order: Order) -> None:
    """``order.money``: the order's paid GMV after a payment or refund, for the contexts that
    follow money (commissions, leaderboards), in the same transaction as the change."""
    await outbox.emit(
        s,
        "order.money",
        order.id,
        {
            "order_id": order.id,
            "merchant_id": order.merchant_id,
            "host_id": order.host_id,
            "show_id": order.show_id,
            "link_id": order.link_id,
            "channel": order.channel,
            "currency": order.currency,
            "total": order.total,
            "refunded": order.refunded_amount,
            "net": order.total - order.refunded_amount,
            "platform_discount": order.platform_discount,
            "paid_at": order.paid_at.isoformat() if order.paid_at else None,
            "lines": [  # net of the line's share of the discount, so they sum to the total
                {"product_id": x.product_id, "amount": x.unit_price * x.quantity - x.discount}
                for x in order.lines
            ],
        },
    )


async def due_orders(s: AsyncSession, limit: int = 200) -> list[int]:
    return list(
        await s.scalars(
            select(Order.id)
            .where(Order.status == "pending", Order.expires_at <= utcnow())
            .limit(limit)
        )
    )


async def list_buyer_orders(s: AsyncSession, user: User, limit: int = 50) -> list[Order]:
    return list(
        await s.scalars(
            select(Order).where(Order.buyer_id == user.id).order_by(Order.id.desc()).limit(limit)
        )
    )


async def list_merchant_orders(
    s: AsyncSession, user: User, status: str | None, limit: int = 100
) -> list[Order]:
    stmt = select(Order).join(Merchant, Merchant.id == Order.merchant_id)
    if "operator" not in user.roles:
        stmt = stmt.where(Merchant.owner_id == user.id)
    if status:
        stmt = stmt.where(Order.status == status)
    return list(await s.scalars(stmt.order_by(Order.id.desc()).limit(limit)))


async def show_stats(s: AsyncSession, show_id: int) -> dict[str, Any]:
    row = (
        await s.execute(
            select(
                func.coalesce(func.sum(Order.total - Order.refunded_amount), 0),
                func.count(),
                func.max(Order.currency),
            ).where(Order.show_id == show_id, Order.status.in_(GMV_STATES))
        )
    ).one()
    return {
        "gmv": int(row[0]),
        "orders": int(row[1]),
        "currency": row[2] or "USD",
        "gmv_display": format_money(int(row[0]), row[2] or "USD"),
    }


async def deal_left(s: AsyncSession, deal_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = await s.execute(
        select(FlashDeal.id, FlashDeal.show_id, FlashDeal.available).where(
            FlashDeal.id.in_(deal_ids)
        )
    )
    return {r.id: (r.show_id, r.available) for r in rows}


def order_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.id,
        buyer_id=order.buyer_id,
        merchant_id=order.merchant_id,
        status=order.status,
        currency=order.currency,
        total=order.total,
        total_display=format_money(order.total, order.currency),
        discount=order.discount,
        platform_discount=order.platform_discount,
        channel=order.channel,
        show_id=order.show_id,
        host_id=order.host_id,
        video_id=order.video_id,
        link_id=order.link_id,
        section_id=order.section_id,
        created_at=order.created_at,
        expires_at=order.expires_at,
        paid_at=order.paid_at,
        refunded_amount=order.refunded_amount,
        lines=[
            LineOut(
                product_id=x.product_id,
                sku_id=x.sku_id,
                deal_id=x.deal_id,
                title=x.title,
                quantity=x.quantity,
                unit_price=x.unit_price,
                discount=x.discount,
            )
            for x in order.lines
        ],
    )
