"""The cart: SKUs a shopper means to buy; checkout turns it into one order per merchant."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.campaigns.coupon_pricing import Line
from hawker.catalog.models import Product, Sku
from hawker.catalog.service import access_sku
from hawker.core.errors import NotFound
from hawker.orders.attribution import FeedClick, Lookback
from hawker.orders.discounts import assign_codes
from hawker.orders.errors import EmptyCart
from hawker.orders.models import CartItem, Order
from hawker.orders.schemas import CartLineOut, CartOut, ItemIn
from hawker.orders.service import do_place_order


async def do_add(s: AsyncSession, user: User, sku_id: int, quantity: int) -> None:
    await access_sku(s, sku_id)
    bumped = await s.scalar(
        update(CartItem)
        .where(CartItem.user_id == user.id, CartItem.sku_id == sku_id)
        .values(quantity=CartItem.quantity + quantity)
        .returning(CartItem.id)
    )
    if bumped is None:
        s.add(CartItem(user_id=user.id, sku_id=sku_id, quantity=quantity))


async def do_set_quantity(s: AsyncSession, user: User, sku_id: int, quantity: int) -> None:
    changed = await s.scalar(
        update(CartItem)
        .where(CartItem.user_id == user.id, CartItem.sku_id == sku_id)
        .values(quantity=quantity)
        .returning(CartItem.id)
    )
    if changed is None:
        raise NotFound(f"SKU {sku_id} is not in your cart")


async def do_remove(s: AsyncSession, user: User, sku_id: int) -> None:
    await s.execute(delete(CartItem).where(CartItem.user_id == user.id, CartItem.sku_id == sku_id))


async def cart_out(s: AsyncSession, user: User) -> CartOut:
    rows = await s.execute(
        select(CartItem.quantity, Sku, Product.title, Product.image_url)
        .join(Sku, Sku.id == CartItem.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(CartItem.user_id == user.id)
        .order_by(CartItem.id)
    )
    items: list[CartLineOut] = []
    totals: dict[str, int] = defaultdict(int)
    for quantity, sku, title, image in rows:
        items.append(
            CartLineOut(
                sku_id=sku.id,
                product_id=sku.product_id,
                title=title,
                sku_name=sku.name,
                image_url=image,
                quantity=quantity,
                unit_price=sku.price,
                currency=sku.currency,
                available=sku.available,
            )
        )
        totals[sku.currency] += sku.price * quantity
    return CartOut(items=items, totals=dict(totals))


Group = tuple[int, str]  # (merchant, currency): one order each


async def cart_groups(s: AsyncSession, user: User) -> dict[Group, list[tuple[ItemIn, Line]]]:
    """The cart as the orders a checkout would place, each line at its current price."""
    rows = (
        await s.execute(
            select(
                CartItem.sku_id,
                CartItem.quantity,
                Product.id,
                Product.merchant_id,
                Sku.price,
                Sku.currency,
            )
            .join(Sku, Sku.id == CartItem.sku_id)
            .join(Product, Product.id == Sku.product_id)
            .where(CartItem.user_id == user.id)
            .order_by(CartItem.id)
        )
    ).all()
    if not rows:
        raise EmptyCart("add something to the cart first")
    groups: dict[Group, list[tuple[ItemIn, Line]]] = defaultdict(list)
    for row in rows:
        groups[(row.merchant_id, row.currency)].append(
            (
                ItemIn(sku_id=row.sku_id, quantity=row.quantity),
                Line(row.id, row.merchant_id, row.price * row.quantity),
            )
        )
    return groups


def priced_groups(
    groups: dict[Group, list[tuple[ItemIn, Line]]],
) -> dict[Group, tuple[str, list[Line]]]:
    return {key: (key[1], [line for _, line in lines]) for key, lines in groups.items()}


async def do_checkout(
    s: AsyncSession,
    user: User,
    *,
    channel: str,
    ttl_seconds: int,
    lookback: Lookback,
    coupons: Sequence[str] = (),
    feed: FeedClick | None = None,
) -> list[Order]:
    groups = await cart_groups(s, user)
    codes = await assign_codes(s, user, coupons, priced_groups(groups))
    placed = [
        await do_place_order(
            s,
            user,
            [item for item, _ in lines],
            channel=channel,
            show_id=None,
            ttl_seconds=ttl_seconds,
            lookback=lookback,
            coupons=codes[key],
            feed=feed,
        )
        for key, lines in groups.items()
    ]
    await s.execute(delete(CartItem).where(CartItem.user_id == user.id))
    return [p.order for p in placed]
