"""The inventory engine (the hot path). Every change is one conditional UPDATE; see ADR 0002.

Accounting (always true, checked by the property tests):
  SKU   stock    = available + reserved + sold (+ units lent to live deals)
  deal  quantity = available + reserved + sold + returned   (returned: sent back to the SKU)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn, cast

from sqlalchemy import Table, bindparam, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.catalog.models import Sku
from hawker.core.clock import utcnow
from hawker.core.db import dialect_name, upserts
from hawker.core.errors import NotFound
from hawker.core.hot_sql import HotStatement, execute
from hawker.deals.baseline import LOCKING_BASELINE
from hawker.deals.errors import (
    BuyerLimitExceeded,
    DealNotLive,
    DealSoldOut,
    OutOfStock,
    ReservationExpired,
    ReservationNotHeld,
)
from hawker.deals.models import DealBuyer, FlashDeal, Reservation
from hawker.deals.stock_units import RELEASES

TAKES = "deal_takes_left_for_last"  # session.info key: (deal, quantity, now) to take at the end


def _count_share(insert: Any) -> Any:
    """The buyer's share of a deal grows by ``quantity`` only within ``limit`` (RETURNING
    nothing when it would not)."""
    shares = cast(Table, DealBuyer.__table__)
    return (
        insert(shares)
        .values(
            deal_id=bindparam("deal_id"),
            buyer_id=bindparam("buyer_id"),
            quantity=bindparam("quantity"),
        )
        .on_conflict_do_update(
            index_elements=[shares.c.deal_id, shares.c.buyer_id],
            set_={"quantity": shares.c.quantity + bindparam("quantity")},
            where=shares.c.quantity + bindparam("quantity") <= bindparam("limit"),
        )
        .returning(shares.c.quantity)
    )


# Built once with bound parameters and run through core.hot_sql (as the orders' inserts are): a
# flash sale's winners run them, and building or executing an ORM statement per call cost more
# than the database running it.
COUNT_SHARE = {name: HotStatement(s) for name, s in upserts(_count_share).items()}
RESERVATIONS = cast(Table, Reservation.__table__)
INSERT_RESERVATION = HotStatement(insert(RESERVATIONS).returning(RESERVATIONS.c.id))


async def do_reserve_sku(
    s: AsyncSession, *, buyer_id: int, sku_id: int, quantity: int, ttl_seconds: int
) -> Reservation:
    """Hold regular stock for a buyer until ``ttl_seconds`` from now."""
    row = (
        await s.execute(
            update(Sku)
            .where(Sku.id == sku_id, Sku.available >= quantity)
            .values(available=Sku.available - quantity, reserved=Sku.reserved + quantity)
            .returning(Sku.price, Sku.currency)
        )
    ).first()
    if row is None:
        if await s.get(Sku, sku_id) is None:
            raise NotFound(f"SKU {sku_id} does not exist")
        raise OutOfStock(f"fewer than {quantity} unit(s) of SKU {sku_id} are left")
    reservation = Reservation(
        buyer_id=buyer_id,
        sku_id=sku_id,
        deal_id=None,
        quantity=quantity,
        unit_price=row.price,
        currency=row.currency,
        state="held",
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
    )
    s.add(reservation)
    await s.flush()
    return reservation


DEALS = cast(Table, FlashDeal.__table__)
TERMS = (DEALS.c.sku_id, DEALS.c.deal_price, DEALS.c.currency, DEALS.c.per_buyer_limit)


def _of_deal(label: str, sql: str) -> Any:
    # Written out: SQLAlchemy's SQLite compiler drops table names throughout RETURNING, inside
    # subqueries too, which leaves these joins ambiguous.
    return literal_column(f"({sql})").label(label)


_PRODUCT = (
    "FROM skus JOIN products ON products.id = skus.product_id WHERE skus.id = flash_deals.sku_id"
)
# Where the deal is sold, for the order's line: read by the take's own statement (scalar
# subqueries in RETURNING), one round trip fewer for each winner of a flash sale.
WHERE_SOLD = (
    _of_deal("product_id", f"SELECT products.id {_PRODUCT}"),
    _of_deal("merchant_id", f"SELECT products.merchant_id {_PRODUCT}"),
    _of_deal("title", f"SELECT products.title {_PRODUCT}"),
    _of_deal("sku_name", f"SELECT skus.name {_PRODUCT}"),
    DEALS.c.show_id,
    _of_deal("host_id", "SELECT shows.host_id FROM shows WHERE shows.id = flash_deals.show_id"),
    DEALS.c.available,
)


@dataclass(frozen=True)
class DealHold:
    """A deal reservation and where the deal is sold (for the order's line)."""

    reservation: Reservation
    product_id: int
    merchant_id: int
    title: str  # "product · SKU"
    show_id: int
    host_id: int
    left: int  # units the deal has left (taken last: before the take, see ``do_take_last``)


# One conditional UPDATE takes the units or changes nothing (invariant 1).
TAKE = HotStatement(
    update(DEALS)
    .where(
        DEALS.c.id == bindparam("deal"),
        DEALS.c.status == "live",
        DEALS.c.starts_at <= bindparam("now"),
        DEALS.c.ends_at > bindparam("now"),
        DEALS.c.available >= bindparam("q"),
        DEALS.c.per_buyer_limit >= bindparam("q"),
    )
    .values(
        available=DEALS.c.available - bindparam("q"), reserved=DEALS.c.reserved + bindparam("q")
    )
    .returning(*TERMS, *WHERE_SOLD)
)
READ_TERMS = select(*TERMS, *WHERE_SOLD).where(DEALS.c.id == bindparam("deal"))


async def _take(s: AsyncSession, deal_id: int, quantity: int, now: Any) -> Any:
    rows = await execute(s, TAKE, {"deal": deal_id, "q": quantity, "now": now})
    if not rows:
        await _explain_deal_refusal(s, deal_id, quantity, now)
    return rows[0]


async def _lock_and_take(s: AsyncSession, deal_id: int, quantity: int, now: Any) -> Any:
    """The naive baseline (see ``deals/baseline.py``)."""
    deal = await s.scalar(select(FlashDeal).where(FlashDeal.id == deal_id).with_for_update())
    if deal is None or not (
        deal.status == "live"
        and deal.starts_at <= now < deal.ends_at
        and quantity <= min(deal.available, deal.per_buyer_limit)
    ):
        await _explain_deal_refusal(s, deal_id, quantity, now)
    deal.available -= quantity
    deal.reserved += quantity
    await s.flush()
    return (await s.execute(READ_TERMS, {"deal": deal_id})).one()


async def _terms(s: AsyncSession, deal_id: int, quantity: int) -> Any:
    """The deal's terms, read without a lock, for a take made last (``do_take_last``)."""
    row = (await s.execute(READ_TERMS, {"deal": deal_id})).first()
    if row is None:
        raise NotFound(f"deal {deal_id} does not exist")
    if quantity > row.per_buyer_limit:
        raise BuyerLimitExceeded(f"this deal allows {row.per_buyer_limit} per buyer")
    return row


async def do_reserve_deal(
    s: AsyncSession,
    *,
    buyer_id: int,
    deal_id: int,
    quantity: int,
    ttl_seconds: int,
    take_last: bool = False,
) -> DealHold:
    """Hold deal stock for a buyer: the deal's counters, then the buyer's share of the limit
    (an insert cannot exceed it: the deal update requires ``quantity <= limit``).

    ``take_last``: the units are already held in Redis, so the deal's conditional update is
    left to ``do_take_last`` at the end of the unit. It still decides (invariant 1), but the
    winners of a burst then hold the hot deal row's lock for one statement and the commit,
    not for the whole order."""
    now = utcnow()
    if LOCKING_BASELINE.on:
        row = await _lock_and_take(s, deal_id, quantity, now)
    elif take_last:
        row = await _terms(s, deal_id, quantity)
        s.info.setdefault(TAKES, []).append((deal_id, quantity, now))
    else:
        row = await _take(s, deal_id, quantity, now)
    # the deal goes first (unless left for last) so the crowd arriving after a sell-out is
    # refused by one statement
    share = {"deal_id": deal_id, "buyer_id": buyer_id, "quantity": quantity}
    counted = await execute(s, COUNT_SHARE[dialect_name(s)], share | {"limit": row.per_buyer_limit})
    if not counted:  # the caller's rollback also undoes the deal decrement above
        raise BuyerLimitExceeded(
            f"this deal allows {row.per_buyer_limit} per buyer and you already hold or bought "
            "your share"
        )
    values = {
        "buyer_id": buyer_id,
        "sku_id": row.sku_id,
        "deal_id": deal_id,
        "quantity": quantity,
        "unit_price": row.deal_price,
        "currency": row.currency,
        "state": "held",
        "created_at": now,
        "expires_at": now + timedelta(seconds=ttl_seconds),
    }
    # A detached row for the caller (the order's lines); nothing in the unit reads it back.
    [(reservation_id,)] = await execute(s, INSERT_RESERVATION, values)
    reservation = Reservation(id=reservation_id, **values)
    title = f"{row.title} · {row.sku_name}"
    return DealHold(
        reservation, row.product_id, row.merchant_id, title, row.show_id, row.host_id, row.available
    )


async def do_take_last(s: AsyncSession) -> dict[int, int]:
    """The deal updates ``do_reserve_deal(take_last=True)`` left for last, made now; the units
    each deal has left after them. A refusal raises (and the caller's unit rolls back)."""
    left: dict[int, int] = {}
    for deal_id, quantity, now in s.info.pop(TAKES, []):
        left[deal_id] = (await _take(s, deal_id, quantity, now)).available
    return left


async def _explain_deal_refusal(s: AsyncSession, deal_id: int, quantity: int, now: Any) -> NoReturn:
    deal = await s.get(FlashDeal, deal_id)
    if deal is None:
        raise NotFound(f"deal {deal_id} does not exist")
    if deal.status != "live" or deal.ends_at <= now or deal.starts_at > now:
        raise DealNotLive(f"deal {deal_id} is not live")
    if quantity > deal.per_buyer_limit:
        raise BuyerLimitExceeded(f"this deal allows {deal.per_buyer_limit} per buyer")
    raise DealSoldOut(
        f"deal {deal_id} has {deal.available} left; you asked for {quantity}"
        if deal.available
        else f"deal {deal_id} is sold out",
        deal_id=deal_id,
        left=deal.available,
    )


async def do_settle(s: AsyncSession, reservation_id: int) -> Reservation:
    """held → paid, only before it expires; the units move from reserved to sold."""
    row = (
        await s.execute(
            update(Reservation)
            .where(
                Reservation.id == reservation_id,
                Reservation.state == "held",
                Reservation.expires_at > utcnow(),
            )
            .values(state="paid")
            .returning(Reservation.deal_id, Reservation.sku_id, Reservation.quantity)
        )
    ).first()
    if row is None:
        current = await s.get(Reservation, reservation_id)
        if current is None:
            raise NotFound(f"reservation {reservation_id} does not exist")
        if current.state in ("held", "expired"):
            raise ReservationExpired("the reservation expired; the stock went back on sale")
        raise ReservationNotHeld(f"reservation {reservation_id} is {current.state}")
    q = row.quantity
    if row.deal_id is not None:
        await s.execute(
            update(FlashDeal)
            .where(FlashDeal.id == row.deal_id)
            .values(reserved=FlashDeal.reserved - q, sold=FlashDeal.sold + q)
        )
    else:
        await s.execute(
            update(Sku)
            .where(Sku.id == row.sku_id)
            .values(reserved=Sku.reserved - q, sold=Sku.sold + q)
        )
    reservation = await s.get(Reservation, reservation_id)
    assert reservation is not None
    await s.refresh(reservation)
    return reservation


async def do_release(
    s: AsyncSession, reservation_id: int, *, state: str = "released"
) -> Reservation | None:
    """held → released|expired, at most once; the units go back on sale (to the deal while it
    is live, else to the SKU). Returns None when the reservation was no longer held."""
    assert state in ("released", "expired")
    row = (
        await s.execute(
            update(Reservation)
            .where(Reservation.id == reservation_id, Reservation.state == "held")
            .values(state=state)
            .returning(
                Reservation.deal_id, Reservation.sku_id, Reservation.quantity, Reservation.buyer_id
            )
        )
    ).first()
    if row is None:
        return None
    q = row.quantity
    if row.deal_id is None:
        await s.execute(
            update(Sku)
            .where(Sku.id == row.sku_id)
            .values(available=Sku.available + q, reserved=Sku.reserved - q)
        )
    else:
        back_in_deal = await s.scalar(
            update(FlashDeal)
            .where(FlashDeal.id == row.deal_id, FlashDeal.status == "live")
            .values(available=FlashDeal.available + q, reserved=FlashDeal.reserved - q)
            .returning(FlashDeal.id)
        )
        if back_in_deal is None:
            await s.execute(
                update(FlashDeal)
                .where(FlashDeal.id == row.deal_id)
                .values(reserved=FlashDeal.reserved - q, returned=FlashDeal.returned + q)
            )
            await s.execute(
                update(Sku).where(Sku.id == row.sku_id).values(available=Sku.available + q)
            )
        await s.execute(
            update(DealBuyer)
            .where(DealBuyer.deal_id == row.deal_id, DealBuyer.buyer_id == row.buyer_id)
            .values(quantity=DealBuyer.quantity - q)
        )
        releases = s.info.get(RELEASES)  # scale-out: Redis learns of it around the commit
        if releases is not None:
            await releases.intend(
                row.deal_id, row.buyer_id, q, back_on_sale=back_in_deal is not None
            )
    reservation = await s.get(Reservation, reservation_id)
    assert reservation is not None
    await s.refresh(reservation)
    return reservation
