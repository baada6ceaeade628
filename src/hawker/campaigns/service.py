"""Campaigns and festivals: operators create a campaign (name, slug, theme, window, rules);
merchants apply with their own products at deal prices, hosts with their own shows
(``schedule.py``); operators
approve or reject (audited, invariant 6). Approved entries carry the campaign's badge on shows
and products, and a featured show (a celebrity or gala broadcast) leads the front page while
it is live (``featured_live``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit, snapshot
from hawker.accounts.models import User
from hawker.campaigns.errors import CampaignClosed
from hawker.campaigns.models import Campaign, CampaignEntry
from hawker.catalog.service import access_merchant_for, access_own_product
from hawker.core.clock import utcnow
from hawker.core.errors import Conflict, Forbidden, Invalid, NotFound
from hawker.live.models import Show


def check_operator(user: User) -> None:
    if not user.has_role("operator"):
        raise Forbidden("only operators run campaigns")


def check_window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid("a campaign ends after it starts")


async def access_campaign(s: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await s.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"no campaign {campaign_id}")
    return campaign


async def access_campaign_by_slug(s: AsyncSession, slug: str) -> Campaign:
    campaign = await s.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise NotFound(f"no campaign {slug!r}")
    return campaign


async def access_open_campaign(s: AsyncSession, campaign_id: int) -> Campaign:
    """A campaign that still takes applications: it has not ended."""
    campaign = await access_campaign(s, campaign_id)
    if campaign.ends_at <= utcnow():
        raise CampaignClosed(f"campaign {campaign.slug!r} ended; it takes no more entries")
    return campaign


async def list_campaigns(s: AsyncSession, limit: int = 100) -> list[Campaign]:
    return list(await s.scalars(select(Campaign).order_by(Campaign.starts_at.desc()).limit(limit)))


async def flush_unique(s: AsyncSession, what: str) -> None:
    try:
        async with s.begin_nested():
            await s.flush()
    except IntegrityError as e:
        raise Conflict(what) from e


async def do_create_campaign(s: AsyncSession, operator: User, values: dict[str, Any]) -> Campaign:
    check_operator(operator)
    check_window(values["starts_at"], values["ends_at"])
    campaign = Campaign(created_by=operator.id, **values)
    s.add(campaign)
    await flush_unique(s, f"another campaign already uses the slug {values['slug']!r}")
    await do_audit(
        s, operator, "campaign.create", "campaign", campaign.id, after=snapshot(campaign)
    )
    return campaign


async def do_update_campaign(
    s: AsyncSession, operator: User, campaign_id: int, values: dict[str, Any]
) -> Campaign:
    check_operator(operator)
    campaign = await access_campaign(s, campaign_id)
    before = snapshot(campaign)
    for key, value in values.items():
        setattr(campaign, key, value)
    check_window(campaign.starts_at, campaign.ends_at)
    await flush_unique(s, f"another campaign already uses the slug {campaign.slug!r}")
    await do_audit(
        s,
        operator,
        "campaign.change",
        "campaign",
        campaign.id,
        before=before,
        after=snapshot(campaign),
    )
    return campaign


async def do_apply_products(
    s: AsyncSession, user: User, campaign_id: int, items: list[dict[str, Any]]
) -> list[CampaignEntry]:
    """A merchant enters its own products at deal prices below their regular price."""
    campaign = await access_open_campaign(s, campaign_id)
    merchant = await access_merchant_for(s, user)
    entries = []
    for item in items:
        product = await access_own_product(s, user, item["product_id"])
        if product.merchant_id != merchant.id:
            raise Forbidden(f"product {product.id} belongs to another merchant")
        prices = [k.price for k in product.skus if k.currency == item["currency"]]
        if not prices:
            raise Invalid(f"product {product.id} has no price in {item['currency']}")
        if item["deal_price"] >= min(prices):
            raise Invalid(
                f"the deal price of product {product.id} must be below its lowest price "
                f"({min(prices)} minor units)"
            )
        entries.append(
            CampaignEntry(
                campaign_id=campaign.id,
                kind="product",
                target_id=product.id,
                applicant_id=user.id,
                merchant_id=merchant.id,
                deal_price=item["deal_price"],
                currency=item["currency"],
            )
        )
    s.add_all(entries)
    await flush_unique(s, "a product is already entered in this campaign")
    return entries


async def access_entry(s: AsyncSession, entry_id: int) -> CampaignEntry:
    entry = await s.get(CampaignEntry, entry_id)
    if entry is None:
        raise NotFound(f"no campaign entry {entry_id}")
    return entry


async def do_decide(s: AsyncSession, operator: User, entry_id: int, status: str) -> CampaignEntry:
    """Approve or reject an entry (either way again: an operator may change their mind)."""
    check_operator(operator)
    entry = await access_entry(s, entry_id)
    before = snapshot(entry)
    entry.status, entry.decided_by, entry.decided_at = status, operator.id, utcnow()
    action = "campaign.entry." + ("approve" if status == "approved" else "reject")
    await s.flush()
    await do_audit(
        s, operator, action, "campaign_entry", entry.id, before=before, after=snapshot(entry)
    )
    return entry


async def do_feature(
    s: AsyncSession, operator: User, entry_id: int, featured: bool
) -> CampaignEntry:
    """Flag an approved show as a featured event (pinned to the top of the front page live)."""
    check_operator(operator)
    entry = await access_entry(s, entry_id)
    if entry.kind != "show" or entry.status != "approved":
        raise Invalid("only approved shows can be featured")
    before = snapshot(entry)
    entry.featured = featured
    await s.flush()
    action = "campaign.show." + ("feature" if featured else "unfeature")
    await do_audit(
        s, operator, action, "campaign_entry", entry.id, before=before, after=snapshot(entry)
    )
    return entry


async def list_entries(
    s: AsyncSession, campaign_id: int, *, status: str | None = None, kind: str | None = None
) -> list[CampaignEntry]:
    query = select(CampaignEntry).where(CampaignEntry.campaign_id == campaign_id)
    if status:
        query = query.where(CampaignEntry.status == status)
    if kind:
        query = query.where(CampaignEntry.kind == kind)
    order = (CampaignEntry.starts_at, CampaignEntry.id)
    return list(await s.scalars(query.order_by(*order)))


@dataclass(frozen=True)
class Badge:
    """A campaign an item takes part in, as a show or product page labels it."""

    campaign_id: int
    slug: str
    name: str
    colour: str
    deal_price: int | None = None
    currency: str | None = None


async def badges_for(
    s: AsyncSession,
    *,
    show_ids: list[int] | tuple[int, ...] = (),
    product_ids: list[int] | tuple[int, ...] = (),
    now: datetime | None = None,
) -> dict[tuple[str, int], list[Badge]]:
    """Approved entries of campaigns not yet over, keyed ``("show"|"product", id)``."""
    targets = [("show", i) for i in show_ids] + [("product", i) for i in product_ids]
    if not targets:
        return {}
    rows = await s.execute(
        select(CampaignEntry, Campaign)
        .join(Campaign, Campaign.id == CampaignEntry.campaign_id)
        .where(
            CampaignEntry.status == "approved",
            Campaign.ends_at > (now or utcnow()),
            (CampaignEntry.kind == "show") & CampaignEntry.target_id.in_(list(show_ids))
            | (CampaignEntry.kind == "product") & CampaignEntry.target_id.in_(list(product_ids)),
        )
        .order_by(Campaign.starts_at, Campaign.id)
    )
    badges: dict[tuple[str, int], list[Badge]] = {}
    for entry, c in rows:
        badge = Badge(c.id, c.slug, c.name, c.theme_colour, entry.deal_price, entry.currency)
        badges.setdefault((entry.kind, entry.target_id), []).append(badge)
    return badges


@dataclass(frozen=True)
class FeaturedShow:
    show_id: int
    title: str
    host_id: int
    cover_url: str
    campaign_id: int
    campaign_slug: str
    campaign_name: str
    colour: str


async def featured_live(s: AsyncSession, now: datetime) -> list[FeaturedShow]:
    """Featured shows of running campaigns that are live now, earliest started first: the
    front page pins them to the top."""
    rows = await s.execute(
        select(Show, Campaign)
        .join(CampaignEntry, (CampaignEntry.kind == "show") & (CampaignEntry.target_id == Show.id))
        .join(Campaign, Campaign.id == CampaignEntry.campaign_id)
        .where(
            CampaignEntry.featured.is_(True),
            CampaignEntry.status == "approved",
            Show.status == "live",
            Campaign.starts_at <= now,
            Campaign.ends_at > now,
        )
        .order_by(Show.started_at, Show.id)
    )
    seen: set[int] = set()
    featured = []
    for show, c in rows:
        if show.id not in seen:
            seen.add(show.id)
            featured.append(
                FeaturedShow(
                    show.id,
                    show.title,
                    show.host_id,
                    show.cover_url,
                    c.id,
                    c.slug,
                    c.name,
                    c.theme_colour,
                )
            )
    return featured


async def deal_prices(
    s: AsyncSession, product_ids: list[int], currency: str, now: datetime
) -> dict[int, int]:
    """Approved deal prices of running campaigns, the lowest per product: what checkout
    charges for these products while their campaign runs."""
    rows = await s.execute(
        select(CampaignEntry.target_id, func.min(CampaignEntry.deal_price))
        .join(Campaign, Campaign.id == CampaignEntry.campaign_id)
        .where(
            CampaignEntry.kind == "product",
            CampaignEntry.status == "approved",
            CampaignEntry.target_id.in_(product_ids),
            CampaignEntry.currency == currency,
            Campaign.starts_at <= now,
            Campaign.ends_at > now,
        )
        .group_by(CampaignEntry.target_id)
    )
    return {pid: int(price) for pid, price in rows if price is not None}
