"""Commission offers: a merchant sets the commission hosts earn on a product or a category,
open to every host or to invited ones, with an optional bonus for hosts of a tier or higher.
Hosts find offered products in the marketplace and add them to their shows.

An order's commission rate is the line-weighted rate of its products (rounded down to a basis
point): a product's best offer available to the host (offer rate, plus the bonus when the
host's tier ranks high enough), else its category's, else the host's tier rate, else the
default. It is decided when the order is first settled and frozen, like the MCN split. A
product's best offer wins over a better category offer: the merchant chose it for that product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.catalog.models import Merchant, Product
from hawker.catalog.service import access_merchant_for, access_product
from hawker.core.errors import Forbidden, Invalid, NotFound
from hawker.creators import tiers
from hawker.creators.models import CommissionOffer, HostTier, OfferInvite


async def do_create_offer(s: AsyncSession, user: User, values: dict[str, Any]) -> CommissionOffer:
    merchant = await access_merchant_for(s, user)
    invited: list[int] = values.pop("invited_host_ids", [])
    if (values.get("product_id") is None) == (values.get("category_id") is None):
        raise Invalid("an offer is for one product or one category")
    if values.get("product_id") is not None:
        product = await access_product(s, values["product_id"])
        if product.merchant_id != merchant.id:
            raise Forbidden(f"product {product.id} belongs to another merchant")
    if not values.get("open_to_all", True) and not invited:
        raise Invalid("an offer not open to all needs invited hosts")
    offer = CommissionOffer(merchant_id=merchant.id, **values)
    s.add(offer)
    await s.flush()
    for host_id in set(invited):
        host = await s.get(User, host_id)
        if host is None or "host" not in host.roles:
            raise NotFound(f"no host {host_id}")
        s.add(OfferInvite(offer_id=offer.id, host_id=host_id))
    await s.flush()
    return offer


async def do_retire_offer(s: AsyncSession, user: User, offer_id: int) -> CommissionOffer:
    merchant = await access_merchant_for(s, user)
    offer = await s.get(CommissionOffer, offer_id)
    if offer is None or offer.merchant_id != merchant.id:
        raise NotFound(f"you have no offer {offer_id}")
    offer.active = False
    return offer


def _available_to(host_id: int) -> Any:
    invited = select(OfferInvite.offer_id).where(OfferInvite.host_id == host_id)
    return CommissionOffer.active.is_(True) & or_(
        CommissionOffer.open_to_all.is_(True), CommissionOffer.id.in_(invited)
    )


def _rate(offer: CommissionOffer, tier: HostTier | None) -> int:
    ranked = offer.bonus_min_rank is not None and tier is not None
    if ranked and tier.rank >= offer.bonus_min_rank:  # type: ignore[operator, union-attr]
        return offer.rate_bps + offer.bonus_bps
    return offer.rate_bps


async def best_offer(
    s: AsyncSession, host_id: int, tier: HostTier | None, product: Product
) -> tuple[CommissionOffer, int] | None:
    """The offer that sets this host's rate on ``product`` and that rate: its best product
    offer, else its best category offer; None without one."""
    targets = [CommissionOffer.product_id == product.id]
    if product.category_id is not None:
        targets.append(CommissionOffer.category_id == product.category_id)
    for target in targets:
        offers = await s.scalars(
            select(CommissionOffer).where(
                target, CommissionOffer.merchant_id == product.merchant_id, _available_to(host_id)
            )
        )
        ranked = sorted(((o, _rate(o, tier)) for o in offers), key=lambda x: (-x[1], x[0].id))
        if ranked:
            return ranked[0]
    return None


async def order_rate(
    s: AsyncSession, host_id: int, lines: list[dict[str, int]], default_bps: int
) -> int:
    tier = await tiers.tier_of(s, host_id)
    base = tier.commission_bps if tier is not None else default_bps
    total = sum(int(line["amount"]) for line in lines)
    if total <= 0:
        return base
    weighted = 0
    for line in lines:
        product = await s.get(Product, int(line["product_id"]))
        best = await best_offer(s, host_id, tier, product) if product else None
        weighted += int(line["amount"]) * (best[1] if best else base)
    return weighted // total


@dataclass(frozen=True)
class MarketItem:
    offer_id: int
    product_id: int
    title: str
    image_url: str
    merchant: str
    price_from: int
    currency: str
    rate_bps: int  # what this host would earn, bonus included
    invited: bool


async def marketplace(s: AsyncSession, host: User, limit: int = 100) -> list[MarketItem]:
    """Products with an offer available to ``host`` (category offers cover the merchant's
    products in the category), at the rate the host would earn, best first."""
    tier = await tiers.tier_of(s, host.id)
    offers = list(await s.scalars(select(CommissionOffer).where(_available_to(host.id))))
    targets = [Product.id == o.product_id for o in offers if o.product_id is not None] + [
        (Product.category_id == o.category_id) & (Product.merchant_id == o.merchant_id)
        for o in offers
        if o.category_id is not None
    ]
    if not targets:
        return []
    rows = await s.execute(
        select(Product, Merchant.name)
        .join(Merchant, Merchant.id == Product.merchant_id)
        .where(Product.active.is_(True), or_(*targets))
    )
    items = []
    for product, merchant in rows:
        best = await best_offer(s, host.id, tier, product)
        if best is None:
            continue
        offer, rate = best
        skus = product.skus
        items.append(
            MarketItem(
                offer_id=offer.id,
                product_id=product.id,
                title=product.title,
                image_url=product.image_url,
                merchant=merchant,
                price_from=min((k.price for k in skus), default=0),
                currency=skus[0].currency if skus else "USD",
                rate_bps=rate,
                invited=not offer.open_to_all,
            )
        )
    return sorted(items, key=lambda i: (-i.rate_bps, i.product_id))[:limit]
