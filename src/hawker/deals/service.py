"""Flash deals: launch, end, list; the inventory engine is re-exported for orders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.catalog.models import Sku
from hawker.catalog.service import access_sku
from hawker.core.clock import utcnow
from hawker.core.errors import NotFound
from hawker.core.money import format_money
from hawker.deals.errors import BadDeal, DealAlreadyLive, OutOfStock
from hawker.deals.inventory import (
    do_release,
    do_reserve_deal,
    do_reserve_sku,
    do_settle,
    do_take_last,
)
from hawker.deals.models import FlashDeal
from hawker.deals.schemas import DealOut
from hawker.live.errors import ShowNotLive
from hawker.live.service import access_show_as_host, check_product_in_lineup

__all__ = ["do_release", "do_reserve_deal", "do_reserve_sku", "do_settle", "do_take_last"]


async def access_deal(s: AsyncSession, deal_id: int) -> FlashDeal:
    deal = await s.get(FlashDeal, deal_id)
    if deal is None:
        raise NotFound(f"deal {deal_id} does not exist")
    return deal


async def do_launch_deal(
    s: AsyncSession,
    user: User,
    *,
    show_id: int,
    sku_id: int,
    deal_price: int,
    quantity: int,
    per_buyer_limit: int,
    duration_seconds: int,
) -> FlashDeal:
    """Lend ``quantity`` units of the SKU to a new deal in the host's live show."""
    show = await access_show_as_host(s, user, show_id)
    if show.status != "live":
        raise ShowNotLive(f"show {show_id} is {show.status}; launch deals while live")
    sku = await access_sku(s, sku_id)
    await check_product_in_lineup(s, show_id, sku.product_id)
    if not 0 < deal_price < sku.price:
        raise BadDeal(
            "the deal price must be above zero and below the regular price "
            f"{format_money(sku.price, sku.currency)}"
        )
    if quantity < 1 or duration_seconds < 1:
        raise BadDeal("a deal needs at least one unit and a positive duration")
    if not 1 <= per_buyer_limit <= quantity:
        raise BadDeal("the per-buyer limit must be between 1 and the deal quantity")
    live = await s.scalar(
        select(FlashDeal.id).where(FlashDeal.sku_id == sku.id, FlashDeal.status == "live")
    )
    if live is not None:
        raise DealAlreadyLive(f"deal {live} is already live for this SKU; end it first")
    moved = await s.scalar(
        update(Sku)
        .where(Sku.id == sku.id, Sku.available >= quantity)
        .values(available=Sku.available - quantity)
        .returning(Sku.id)
    )
    if moved is None:
        raise OutOfStock(f"only {sku.available} unit(s) of {sku.name} are available for a deal")
    now = utcnow()
    deal = FlashDeal(
        show_id=show_id,
        product_id=sku.product_id,
        sku_id=sku.id,
        deal_price=deal_price,
        original_price=sku.price,
        currency=sku.currency,
        quantity=quantity,
        available=quantity,
        reserved=0,
        sold=0,
        returned=0,
        per_buyer_limit=per_buyer_limit,
        starts_at=now,
        ends_at=now + timedelta(seconds=duration_seconds),
        status="live",
    )
    s.add(deal)
    try:
        await s.flush()
    except IntegrityError as exc:  # a concurrent launch won the one-live-deal-per-SKU index
        raise DealAlreadyLive("another deal went live for this SKU a moment ago") from exc
    return deal


async def do_end_deal(s: AsyncSession, deal_id: int, *, reason: str) -> FlashDeal | None:
    """live → ended once; unsold units go back to the SKU. None when it had already ended."""
    row = (
        await s.execute(
            update(FlashDeal)
            .where(FlashDeal.id == deal_id, FlashDeal.status == "live")
            .values(
                status="ended",
                ended_reason=reason,
                available=0,
                returned=FlashDeal.returned + FlashDeal.available,
            )
            .returning(FlashDeal.sku_id, FlashDeal.returned)
        )
    ).first()
    if row is None:
        return None
    await s.execute(
        update(Sku).where(Sku.id == row.sku_id).values(available=Sku.available + row.returned)
    )
    deal = await access_deal(s, deal_id)
    await s.refresh(deal)
    return deal


async def do_end_deal_as_host(s: AsyncSession, user: User, deal_id: int) -> FlashDeal | None:
    deal = await access_deal(s, deal_id)
    await access_show_as_host(s, user, deal.show_id)
    return await do_end_deal(s, deal_id, reason="ended")


async def do_end_due_deals(s: AsyncSession, now: datetime) -> list[FlashDeal]:
    due = list(
        await s.scalars(
            select(FlashDeal.id).where(FlashDeal.status == "live", FlashDeal.ends_at <= now)
        )
    )
    ended = [await do_end_deal(s, deal_id, reason="expired") for deal_id in due]
    return [d for d in ended if d is not None]


async def list_deals(s: AsyncSession, show_id: int, limit: int = 20) -> list[FlashDeal]:
    return list(
        await s.scalars(
            select(FlashDeal)
            .where(FlashDeal.show_id == show_id)
            .order_by(FlashDeal.id.desc())
            .limit(limit)
        )
    )


async def live_deal(s: AsyncSession, show_id: int) -> FlashDeal | None:
    deal: FlashDeal | None = await s.scalar(
        select(FlashDeal)
        .where(
            FlashDeal.show_id == show_id, FlashDeal.status == "live", FlashDeal.ends_at > utcnow()
        )
        .order_by(FlashDeal.id.desc())
        .limit(1)
    )
    return deal


def deal_out(deal: FlashDeal) -> DealOut:
    left = max(0, int((deal.ends_at - utcnow()).total_seconds())) if deal.status == "live" else 0
    return DealOut(
        id=deal.id,
        show_id=deal.show_id,
        product_id=deal.product_id,
        sku_id=deal.sku_id,
        deal_price=deal.deal_price,
        original_price=deal.original_price,
        currency=deal.currency,
        price_display=format_money(deal.deal_price, deal.currency),
        original_display=format_money(deal.original_price, deal.currency),
        quantity=deal.quantity,
        left=deal.available,
        per_buyer_limit=deal.per_buyer_limit,
        starts_at=deal.starts_at,
        ends_at=deal.ends_at,
        status=deal.status,
        ended_reason=deal.ended_reason,
        seconds_left=left,
    )
