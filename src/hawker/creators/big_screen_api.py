"""GMV big screen and console metrics API (operators): one frame, a stream of frames (one a
second, Server-Sent Events), and the console's daily numbers."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.creators import big_screen
from hawker.creators.big_screen_schemas import MetricsOut, SnapshotOut
from hawker.creators.console_metrics import daily_metrics
from hawker.infra.runtime import Runtime
from hawker.infra.sse import periodic_stream

router = APIRouter(prefix="/api", tags=["creators"])
operator = require_role("operator")
CURRENCY = Query(default="USD", pattern=r"^[A-Z]{3}$", description="breakdowns in this currency")
CAMPAIGN = Query(default=None, ge=1, description="a campaign's screen; the platform without")


@router.get("/big-screen")
async def frame(
    currency: str = CURRENCY,
    campaign: int | None = CAMPAIGN,
    _: User = Depends(operator),
    rt: Runtime = Depends(runtime),
) -> SnapshotOut:
    return SnapshotOut.model_validate(await big_screen.big_screen_of(rt).frame(campaign, currency))


@router.get("/big-screen/stream")
async def stream(
    request: Request,
    currency: str = CURRENCY,
    campaign: int | None = CAMPAIGN,
    _: User = Depends(operator),
    rt: Runtime = Depends(runtime),
) -> Response:
    """``snapshot`` events, one a second, each a whole frame (a missed one costs nothing)."""
    async with rt.db.read() as s:
        await big_screen.access_scope(rt, s, campaign)  # an unknown campaign is a 404 now
    screen = big_screen.big_screen_of(rt)

    async def data() -> str:
        return json.dumps(await screen.frame(campaign, currency), separators=(",", ":"))

    return periodic_stream(request, "snapshot", big_screen.TICK_SECONDS, data)


@router.get("/operator/metrics")
async def metrics(
    days: int = Query(default=14, ge=1, le=92),
    _: User = Depends(operator),
    rt: Runtime = Depends(runtime),
) -> MetricsOut:
    """Per UTC day, oldest first: GMV per currency with live's share, active buyers and
    watch time (live rooms and short videos)."""
    async with rt.db.read() as s:
        return MetricsOut(days=await daily_metrics(s, days))
