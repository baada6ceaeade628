"""Affiliate links: a host's own link to a product. Opening it is a touch in the event log
(``affiliate.click``); an order placed within the attribution window is credited to the host
whose touch came last (orders/attribution.py), which makes the commission theirs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.analytics.models import Event
from hawker.analytics.service import record
from hawker.catalog.models import Product
from hawker.catalog.service import access_product
from hawker.core.errors import NotFound
from hawker.creators.models import AffiliateLink, Sale


@dataclass(frozen=True)
class LinkStats:
    link: AffiliateLink
    product_title: str
    orders: int
    gmv: int
    currency: str | None


async def do_create_link(
    s: AsyncSession, host: User, product_id: int
) -> tuple[AffiliateLink, bool]:
    """The host's link to the product and whether it is new: one per host and product, so
    asking again returns it."""
    await access_product(s, product_id)
    existing = await s.scalar(
        select(AffiliateLink).where(
            AffiliateLink.host_id == host.id, AffiliateLink.product_id == product_id
        )
    )
    if existing is not None:
        return existing, False
    # 12 url-safe characters: 72 random bits, so codes are not guessable or enumerable
    link = AffiliateLink(code=secrets.token_urlsafe(9), host_id=host.id, product_id=product_id)
    s.add(link)
    await s.flush()
    return link, True


async def do_click(s: AsyncSession, code: str, visitor: User | None) -> tuple[AffiliateLink, Event]:
    """Count the click and log it as a touch. An anonymous click is logged without a user; the
    page keeps its event id in a cookie so the order can still find it."""
    link = await s.scalar(select(AffiliateLink).where(AffiliateLink.code == code))
    if link is None:
        raise NotFound(f"no affiliate link {code!r}")
    await s.execute(
        update(AffiliateLink)
        .where(AffiliateLink.id == link.id)
        .values(clicks=AffiliateLink.clicks + 1)
    )
    event = await record(
        s,
        "affiliate.click",
        user_id=visitor.id if visitor else None,
        product_id=link.product_id,
        data={"link_id": link.id, "host_id": link.host_id},
    )
    await s.flush()
    return link, event


async def list_links(s: AsyncSession, host: User, link_id: int | None = None) -> list[LinkStats]:
    """The host's links (or the one asked for), newest first, with what they sold: paid
    orders and their net GMV (from the sales read model, so refunds lower it)."""
    sold = (
        select(
            Sale.link_id,
            func.count().label("orders"),
            func.sum(Sale.net).label("gmv"),
            func.min(Sale.currency).label("currency"),
        )
        .group_by(Sale.link_id)
        .subquery()
    )
    rows = await s.execute(
        select(AffiliateLink, Product.title, sold.c.orders, sold.c.gmv, sold.c.currency)
        .join(Product, Product.id == AffiliateLink.product_id)
        .outerjoin(sold, sold.c.link_id == AffiliateLink.id)
        .where(
            AffiliateLink.host_id == host.id,
            AffiliateLink.id == link_id if link_id is not None else true(),
        )
        .order_by(AffiliateLink.id.desc())
    )
    return [
        LinkStats(link, title, orders or 0, int(gmv or 0), currency)
        for link, title, orders, gmv, currency in rows
    ]
