"""Campaign GMV: an outbox consumer of ``order.money`` keeps, per campaign and order, the
order's net GMV from approved participants and from the campaign's boosted items.

An order paid inside a campaign's window counts in full when it was sold in an approved show
of the campaign, else by its lines of approved products; the boosted share likewise by a
boosted show, host or product. Shares follow the order's net pro rata by line amount (rounded
down), and each event replaces the previous figures, so refunds lower GMV and a replay of an
old event changes nothing. Short videos sell through products here: a video boost has no
order field to match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.campaigns.boosts import boosts_of
from hawker.campaigns.models import Campaign, CampaignEntry, CampaignSale
from hawker.core import outbox
from hawker.core.outbox import OutboxEvent
from hawker.creators.leaderboards import Entry
from hawker.creators.models import Sale
from hawker.infra.runtime import Runtime

CONSUMER = outbox.consumer("campaigns.gmv", ("order.money",))
CHANNEL = "campaigns"


def line_share(lines: list[dict[str, Any]], net: int, whole: bool, products: set[int]) -> int:
    """The part of an order's ``net`` that belongs to ``products`` (all of it when ``whole``),
    pro rata by line amount, rounded down: never more than the net, never negative."""
    gross = sum(int(line["amount"]) for line in lines)
    if gross <= 0:
        return 0
    if whole:
        return net
    part = sum(int(line["amount"]) for line in lines if int(line["product_id"]) in products)
    return part * net // gross


async def _shares(
    s: AsyncSession, campaign: Campaign, data: dict[str, Any], at: datetime
) -> tuple[int, int]:
    lines, net = data.get("lines") or [], int(data["net"])
    product_ids = [int(line["product_id"]) for line in lines]
    show_id, host_id = data.get("show_id"), data.get("host_id")
    rows = await s.execute(
        select(CampaignEntry.kind, CampaignEntry.target_id).where(
            CampaignEntry.campaign_id == campaign.id,
            CampaignEntry.status == "approved",
            (CampaignEntry.kind == "show") & (CampaignEntry.target_id == (show_id or 0))
            | (CampaignEntry.kind == "product") & CampaignEntry.target_id.in_(product_ids),
        )
    )
    approved = {(k, t) for k, t in rows}
    boosted = await boosts_of(s, campaign.id, at)
    gmv = line_share(
        lines, net, ("show", show_id) in approved, {t for k, t in approved if k == "product"}
    )
    whole = ("show", show_id) in boosted or ("host", host_id) in boosted
    boost = line_share(lines, net, whole, {t for k, t in boosted if k == "product"})
    return gmv, boost


async def do_apply_order_money(s: AsyncSession, event: OutboxEvent) -> bool:
    """Bring every running campaign's figures for the order in line with the event."""
    data: dict[str, Any] = event.data
    if data.get("paid_at") is None:
        return False
    at = datetime.fromisoformat(data["paid_at"])
    campaigns = await s.scalars(
        select(Campaign).where(Campaign.starts_at <= at, Campaign.ends_at > at)
    )
    changed = False
    for campaign in campaigns:
        gmv, boosted = await _shares(s, campaign, data, at)
        key = (campaign.id, int(data["order_id"]))
        sale = await s.get(CampaignSale, key, with_for_update=True)
        if sale is None and (gmv or boosted):
            s.add(
                CampaignSale(
                    campaign_id=campaign.id,
                    order_id=key[1],
                    currency=data["currency"],
                    gmv=gmv,
                    boosted_gmv=boosted,
                    paid_at=at,
                    last_event_id=event.id,
                )
            )
        elif sale is not None and event.id > sale.last_event_id:
            sale.gmv, sale.boosted_gmv, sale.last_event_id = gmv, boosted, event.id
        else:
            continue
        changed = True
    await s.flush()
    return changed


@dataclass(frozen=True)
class Gmv:
    currency: str
    gmv: int
    boosted_gmv: int
    orders: int


async def campaign_gmv(s: AsyncSession, campaign_id: int) -> list[Gmv]:
    """The campaign's net GMV per currency, the boosted part, and its paid orders."""
    rows = await s.execute(
        select(
            CampaignSale.currency,
            func.sum(CampaignSale.gmv),
            func.sum(CampaignSale.boosted_gmv),
            func.count().filter(CampaignSale.gmv > 0),
        )
        .where(CampaignSale.campaign_id == campaign_id)
        .group_by(CampaignSale.currency)
        .order_by(CampaignSale.currency)
    )
    return [Gmv(c, int(g), int(b), int(n)) for c, g, b, n in rows]


async def run_listeners(rt: Runtime) -> int:
    """One pass of the GMV consumer; tells open campaign pages when figures moved."""
    changed = await outbox.consume(rt.db, CONSUMER, do_apply_order_money)
    if changed:
        await rt.bus.publish(CHANNEL, "campaign.gmv", {})
    return changed


async def campaign_hosts(
    s: AsyncSession, campaign_id: int, currency: str, limit: int = 10
) -> list[Entry]:
    """The campaign's leaderboard: hosts by the festival GMV of the orders they sold (the
    sales read model names each order's host)."""
    gmv = func.sum(CampaignSale.gmv).label("gmv")
    rows = await s.execute(
        select(User.id, User.display_name, User.avatar_url, gmv, func.count())
        .select_from(CampaignSale)
        .join(Sale, Sale.order_id == CampaignSale.order_id)
        .join(User, User.id == Sale.host_id)
        .where(CampaignSale.campaign_id == campaign_id, CampaignSale.currency == currency)
        .group_by(User.id, User.display_name, User.avatar_url)
        .having(func.sum(CampaignSale.gmv) > 0)
        .order_by(gmv.desc(), User.id)
        .limit(limit)
    )
    return [Entry(i + 1, r[0], r[1], r[2], int(r[3]), r[4]) for i, r in enumerate(rows)]
