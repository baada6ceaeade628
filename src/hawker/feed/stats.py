"""Section metrics (issue 6, part 7): who saw each section (impressions per shopper per day),
clicks (through ``/go?s=<section>``), and the GMV of orders attributed to the section
(``orders.section_id``, set when a purchase follows a click on that item).

Impressions and clicks also reach the event log (``section.impression``/``section.click``,
``data["section"]`` the section's key, see ``section_key``), where experiment metrics such as
``home_live_ctr`` read them per shopper."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.service import record
from hawker.core.db import upsert_insert
from hawker.feed.models import FrontPageSection, SectionStat
from hawker.orders.models import Order
from hawker.orders.states import GMV_STATES

SIGNED_OUT = 0  # the user id impressions and clicks of signed-out visitors are counted under
PAGE = "home"


def section_key(source: str) -> str:
    """A section's stable key in the event log: the page, then the section's source
    (``home.live`` is the home page's live-now section). Section ids change when an operator
    rebuilds a layout; what a section shows does not, so experiments measure by this key."""
    return f"{PAGE}.{source}"


async def do_add_impressions(
    s: AsyncSession, counts: Mapping[tuple[int, int | None, date], int]
) -> None:
    """Add buffered impressions, keyed by (section, user or None, day); rows in key order, so
    two nodes flushing at once lock them in the same order."""
    for (section_id, user_id, day), n in sorted(counts.items(), key=lambda x: _order(x[0])):
        await _add(s, section_id, user_id or SIGNED_OUT, day, impressions=n)


async def do_record_impression_events(
    s: AsyncSession, counts: Mapping[tuple[int, int | None, date], int], keys: Mapping[int, str]
) -> None:
    """One ``section.impression`` event per shopper and section key per flush, ``value`` the
    impressions it counts (one row per page view would multiply the home page's writes)."""
    per: dict[tuple[str, int | None], int] = {}
    for (section_id, user_id, _), n in counts.items():
        key = (keys[section_id], user_id)
        per[key] = per.get(key, 0) + n
    for (section, user_id), n in sorted(per.items(), key=lambda x: (x[0][0], x[0][1] or 0)):
        await record(s, "section.impression", user_id=user_id, value=n, data={"section": section})


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


async def do_record_click(
    s: AsyncSession, user_id: int | None, section_id: int, day: date, key: str | None = None
) -> bool:
    """Count a click, and log it as a ``section.click`` event when the section's ``key`` is
    known (it is in the published layout); False (nothing counted) for an unknown section."""
    if await s.get(FrontPageSection, section_id) is None:
        return False
    await _add(s, section_id, user_id or SIGNED_OUT, day, clicks=1)
    if key is not None:
        await record(s, "section.click", user_id=user_id, value=1, data={"section": key})
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
