"""The console's daily numbers: GMV and live's share of it (sales read model), active buyers
and watch time (event log), one row for every day of the period, quiet days included."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.service import daily_activity
from hawker.creators import gmv
from hawker.creators.big_screen_schemas import DayGmvOut, DayMetricsOut


async def daily_metrics(s: AsyncSession, days: int) -> list[DayMetricsOut]:
    """The last ``days`` UTC days, today included, oldest first."""
    first = gmv.start_of_day() - timedelta(days=days - 1)
    sales = await gmv.daily(s, first)
    activity = {a.day: a for a in await daily_activity(s, first)}
    out = []
    for n in range(days):
        day = (first + timedelta(days=n)).date().isoformat()
        seen = activity.get(day)
        out.append(
            DayMetricsOut(
                day=day,
                gmv=[
                    DayGmvOut(
                        currency=d.currency,
                        gmv=d.gmv,
                        live=d.live,
                        live_share_bps=d.live_share_bps,
                    )
                    for d in sales
                    if d.day == day
                ],
                active_buyers=seen.active_buyers if seen else 0,
                watch_ms=seen.watch_ms if seen else 0,
            )
        )
    return out
