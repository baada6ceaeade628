"""Leaderboards page: hosts and merchants by GMV, rising hosts, refreshed as sales land."""

from __future__ import annotations

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import runtime
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
    rt: Runtime = Depends(runtime),
) -> Response:
    async with rt.db.read() as s:
        entries = await leaderboards.board(s, board, period, currency)
    return render(
        request,
        "leaderboards.html",
        tabs=TABS,
        board=board,
        period=period,
        currency=currency,
        entries=entries,
    )
