"""Leaderboards JSON API: hosts and merchants by GMV, rising hosts, and a stream that says
when sales moved them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hawker.accounts.auth import runtime
from hawker.core.money import format_money
from hawker.creators import leaderboards
from hawker.creators.schemas import LeaderboardOut, LeaderEntryOut
from hawker.infra.bus import BusEvent
from hawker.infra.runtime import Runtime
from hawker.infra.sse import bus_stream

router = APIRouter(prefix="/api", tags=["creators"])


@router.get("/leaderboards/{which}")
async def leaderboard(
    which: leaderboards.Board,
    period: leaderboards.Period = "today",
    currency: str = Query(default="USD", pattern=r"^[A-Z]{3}$"),
    rt: Runtime = Depends(runtime),
) -> LeaderboardOut:
    """Public: hosts or merchants by net GMV (today, this week, this month), or rising hosts
    (last 7 days against the 7 before; ``period`` is ignored)."""
    async with rt.db.read() as s:
        entries = await leaderboards.board(s, which, period, currency)
    return LeaderboardOut(
        board=which,
        period=period,
        currency=currency,
        entries=[
            LeaderEntryOut(**vars(e), gmv_display=format_money(e.gmv, currency)) for e in entries
        ],
    )


@router.get("/leaderboards-stream")
async def leaderboard_stream(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    """Server-sent events: ``changed`` whenever sales move a leaderboard (on any node)."""

    async def changed(_: BusEvent) -> str:
        return "{}"

    return bus_stream(request, rt.bus, leaderboards.CHANNEL, "changed", changed)
