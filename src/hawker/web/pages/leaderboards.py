"""Leaderboards page: hosts and merchants by GMV, rising hosts, and hosts by a running
campaign's GMV, refreshed as sales land."""

from __future__ import annotations

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import runtime
from hawker.campaigns import listeners as campaign_listeners
from hawker.campaigns import service as campaigns
from hawker.core.clock import utcnow
from hawker.creators import leaderboards
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
TABS = [
    ("hosts", "today", "Hosts · today"),
    ("hosts", "week", "Hosts · this week"),
    ("merchants", "week", "Merchants · this week"),
    ("rising", "week", "Rising hosts"),
]


@router.get("/leaderboards")
async def page(
    request: Request,
    board: leaderboards.Board = "hosts",
    period: leaderboards.Period = "today",
    currency: str = Query(default="USD", pattern=r"^[A-Z]{3}$"),
    campaign: int | None = Query(default=None, ge=1, le=2**31 - 1),
    rt: Runtime = Depends(runtime),
) -> Response:
    now = utcnow()
    async with rt.db.read() as s:
        running = [c for c in await campaigns.list_campaigns(s) if c.starts_at <= now < c.ends_at]
        if campaign is not None:  # hosts by what they sold in the festival
            chosen = await campaigns.access_campaign(s, campaign)
            board, currency = "hosts", chosen.currency
            entries = await campaign_listeners.campaign_hosts(s, chosen.id, currency, limit=20)
        else:
            entries = await leaderboards.board(s, board, period, currency)
    return render(
        request,
        "leaderboards.html",
        tabs=TABS,
        running=running,
        campaign=campaign,
        board=board,
        period=period,
        currency=currency,
        entries=entries,
    )
