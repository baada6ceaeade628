"""What campaign pages list: a campaign's approved shows and products, names for the
operator's queue, and what a merchant or host could still enter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.campaigns.models import Campaign, CampaignEntry
from hawker.catalog.models import Merchant, Product
from hawker.creators import gmv
from hawker.creators.errors import NoSuchCampaign
from hawker.live.models import Show


async def approved_shows(
    s: AsyncSession, campaign_id: int, *, since: datetime | None = None, limit: int = 50
) -> list[tuple[CampaignEntry, Show, str]]:
    """The campaign's approved shows not ended (or ending after ``since``) by slot, with
    the host's name."""
    query = (
        select(CampaignEntry, Show, User.display_name)
        .join(Show, Show.id == CampaignEntry.target_id)
        .join(User, User.id == Show.host_id)
        .where(
            CampaignEntry.campaign_id == campaign_id,
            CampaignEntry.kind == "show",
            CampaignEntry.status == "approved",
            Show.status != "ended",
        )
        .order_by(CampaignEntry.featured.desc(), CampaignEntry.starts_at, CampaignEntry.id)
        .limit(limit)
    )
    if since is not None:
        query = query.where(CampaignEntry.ends_at > since)
    return [(e, show, name) for e, show, name in await s.execute(query)]


async def approved_products(
    s: AsyncSession, campaign_id: int, limit: int = 60
) -> list[tuple[CampaignEntry, Product]]:
    rows = await s.execute(
        select(CampaignEntry, Product)
        .join(Product, Product.id == CampaignEntry.target_id)
        .where(
            CampaignEntry.campaign_id == campaign_id,
            CampaignEntry.kind == "product",
            CampaignEntry.status == "approved",
            Product.active.is_(True),
        )
        .order_by(CampaignEntry.id)
        .limit(limit)
    )
    return [(e, p) for e, p in rows]


async def entry_targets(
    s: AsyncSession, entries: list[CampaignEntry]
) -> dict[tuple[str, int], str]:
    """A title for each entry's show or product (the operator's queue names them)."""
    shows = [e.target_id for e in entries if e.kind == "show"]
    products = [e.target_id for e in entries if e.kind == "product"]
    names: dict[tuple[str, int], str] = {}
    for sid, title in await s.execute(select(Show.id, Show.title).where(Show.id.in_(shows))):
        names[("show", sid)] = title
    rows = await s.execute(select(Product.id, Product.title).where(Product.id.in_(products)))
    for pid, title in rows:
        names[("product", pid)] = title
    return names


async def candidates(
    s: AsyncSession, user: User, campaign: Campaign
) -> tuple[list[Product], list[Show]]:
    """The caller's own products, and own scheduled shows starting inside the campaign, not
    yet entered (what the landing page offers to enter)."""
    entered = select(CampaignEntry.target_id).where(CampaignEntry.campaign_id == campaign.id)
    products: list[Product] = []
    shows: list[Show] = []
    if "merchant" in user.roles:
        products = list(
            await s.scalars(
                select(Product)
                .join(Merchant, Merchant.id == Product.merchant_id)
                .where(
                    Merchant.owner_id == user.id,
                    Product.active.is_(True),
                    Product.id.not_in(entered.where(CampaignEntry.kind == "product")),
                )
                .order_by(Product.id)
                .limit(100)
            )
        )
    if "host" in user.roles:
        shows = list(
            await s.scalars(
                select(Show)
                .where(
                    Show.host_id == user.id,
                    Show.status == "scheduled",
                    Show.scheduled_start >= campaign.starts_at,
                    Show.scheduled_start < campaign.ends_at,
                    Show.id.not_in(entered.where(CampaignEntry.kind == "show")),
                )
                .order_by(Show.scheduled_start)
                .limit(100)
            )
        )
    return products, shows


@dataclass(frozen=True)
class Scope:
    """What belongs to a campaign, for other parts to filter by (the big screen's
    ``?campaign=``, coupons eligible on a campaign's products)."""

    campaign_id: int
    starts_at: datetime
    ends_at: datetime
    show_ids: frozenset[int]
    product_ids: frozenset[int]
    host_ids: frozenset[int]


@dataclass(frozen=True)
class Approved:
    show_ids: frozenset[int]
    product_ids: frozenset[int]
    host_ids: frozenset[int]


async def approved(s: AsyncSession, campaign_ids: Sequence[int]) -> Approved:
    """The shows, products and hosts approved into any of these campaigns."""
    rows = await s.execute(
        select(CampaignEntry.kind, CampaignEntry.target_id, CampaignEntry.host_id).where(
            CampaignEntry.campaign_id.in_(campaign_ids), CampaignEntry.status == "approved"
        )
    )
    shows: set[int] = set()
    products: set[int] = set()
    hosts: set[int] = set()
    for kind, target, host in rows:
        (shows if kind == "show" else products).add(target)
        if host is not None:
            hosts.add(host)
    return Approved(frozenset(shows), frozenset(products), frozenset(hosts))


async def running_scope(s: AsyncSession, now: datetime) -> Approved:
    """What every campaign running now approved (the front page's festival section)."""
    running = await s.scalars(
        select(Campaign.id).where(Campaign.starts_at <= now, Campaign.ends_at > now)
    )
    return await approved(s, list(running))


async def scope_of(s: AsyncSession, campaign: Campaign) -> Scope:
    a = await approved(s, [campaign.id])
    return Scope(
        campaign.id, campaign.starts_at, campaign.ends_at, a.show_ids, a.product_ids, a.host_ids
    )


async def big_screen_scope(s: AsyncSession, campaign_id: int) -> gmv.Scope:
    """The big screen's ``?campaign=``: the campaign's approved shows, their hosts, and the
    merchants of its approved products (the screen keeps figures by show, host and merchant,
    so a participating merchant's other sales count there too; the campaign page's own GMV is
    exact)."""
    campaign = await s.get(Campaign, campaign_id)
    if campaign is None:
        raise NoSuchCampaign(f"campaign {campaign_id} does not exist")
    scope = await scope_of(s, campaign)
    merchants = await s.scalars(
        select(Product.merchant_id).where(Product.id.in_(scope.product_ids)).distinct()
    )
    return gmv.Scope(
        label=campaign.name,
        since=campaign.starts_at,
        show_ids=scope.show_ids,
        host_ids=scope.host_ids,
        merchant_ids=frozenset(merchants),
    )
