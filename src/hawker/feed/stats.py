"""Section metrics (issue 6, part 7): who saw each section (impressions per shopper per day),
clicks (through ``/go?s=<section>``), and the GMV of orders attributed to the section
(``orders.section_id``, set when a purchase follows a click on that item)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core.db import upsert_insert
from hawker.feed.models import FrontPageSection, SectionStat
from hawker.orders.models import Order
from hawker.orders.states import GMV_STATES

SIGNED_OUT = 0  # the user id impressions and clicks of signed-out visitors are counted under


async def do_add_impressions(
    s: AsyncSession, counts: Mapping[tuple[int, int | None, date], int]
) -> None:
    """Add buffered impressions, keyed by (section, user or None, day); rows in key order, so
    two nodes flushing at once lock them in the same order."""
    for (section_id, user_id, day), n in sorted(counts.items(), key=lambda x: _order(x[0])):
        await _add(s, section_id, user_id or SIGNED_OUT, day, impressions=n)


def _order(key: tuple[int, int | None, date]) -> tuple[int, date, int]:
    return key[0], key[2], key[1] or SIGNED_OUT


async def _add(
    s: AsyncSession,
    section_id: int,
    user_id: int,
    day: date,
    *,
    impressions: int = 0,
    clicks: int = 0,
) -> None:
    row = {"section_id": section_id, "day": day, "user_id": user_id}
    stmt = upsert_insert(s)(SectionStat).values(
        row | {"impressions": impressions, "clicks": clicks}
    )
    await s.execute(
        stmt.on_conflict_do_update(
            index_elements=[SectionStat.section_id, SectionStat.day, SectionStat.user_id],
            set_={
                "impressions": SectionStat.impressions + impressions,
                "clicks": SectionStat.clicks + clicks,
            },
        )
    )


async def do_record_click(s: AsyncSession, user_id: int | None, section_id: int, day: date) -> bool:
    """Count a click; False (and nothing counted) when no such section exists."""
    if await s.get(FrontPageSection, section_id) is None:
        return False
    await _add(s, section_id, user_id or SIGNED_OUT, day, clicks=1)
    return True


@dataclass
class SectionMetrics:
    section_id: int
    title: str
    shoppers: int = 0
    impressions: int = 0
    clicks: int = 0
    orders: int = 0
    gmv: dict[str, int] = field(default_factory=dict)

    @property
    def ctr(self) -> float:
        return round(self.clicks / self.impressions, 4) if self.impressions else 0.0


async def section_metrics(s: AsyncSession, since: date) -> list[SectionMetrics]:
    """Every section seen, clicked or sold through since ``since``, by id."""
    metrics: dict[int, SectionMetrics] = {
        row.id: SectionMetrics(row.id, row.title)
        for row in await s.scalars(select(FrontPageSection))
    }
    signed_in = SectionStat.user_id != SIGNED_OUT
    seen = await s.execute(
        select(
            SectionStat.section_id,
            func.count(func.distinct(SectionStat.user_id)).filter(
                signed_in, SectionStat.impressions > 0
            ),
            func.sum(SectionStat.impressions),
            func.sum(SectionStat.clicks),
        )
        .where(SectionStat.day >= since)
        .group_by(SectionStat.section_id)
    )
    for section_id, shoppers, impressions, clicks in seen:
        m = metrics[section_id]
        m.shoppers, m.impressions, m.clicks = int(shoppers), int(impressions), int(clicks)
    sold = await s.execute(
        select(
            Order.section_id,
            Order.currency,
            func.count(),
            func.sum(Order.total - Order.refunded_amount),
        )
        .where(
            Order.section_id.is_not(None),
            Order.status.in_(GMV_STATES),
            Order.created_at >= datetime.combine(since, time()),
        )
        .group_by(Order.section_id, Order.currency)
    )
    for sold_through, currency, orders, net in sold:
        if sold_through in metrics:
            metrics[sold_through].orders += int(orders)
            metrics[sold_through].gmv[currency] = int(net)
    return sorted(metrics.values(), key=lambda m: m.section_id)
