"""The GMV big screen (full screen, for a wall or a projector) and the console's daily numbers.

The big screen renders its first frame on the server, so numbers show before any script runs;
``static/js/big_screen.js`` then follows the one-a-second stream and animates between frames.
"""

from __future__ import annotations

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.creators.big_screen import big_screen_of
from hawker.creators.big_screen_api import CAMPAIGN, CURRENCY
from hawker.creators.console_metrics import daily_metrics
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
operator = require_role("operator")
CHANNEL_NAMES = {
    "live": "Live",
    "video": "Short video",
    "replay": "Replay",
    "link": "Affiliate link",
    "feed": "Feed",
    "search": "Search",
    "direct": "Direct",
}


@router.get("/big-screen")
async def big_screen(
    request: Request,
    currency: str = CURRENCY,
    campaign: int | None = CAMPAIGN,
    _: User = Depends(operator),
    rt: Runtime = Depends(runtime),
) -> Response:
    frame = await big_screen_of(rt).frame(campaign, currency)
    total = next((t for t in frame["totals"] if t["currency"] == currency), None)
    return render(
        request,
        "big_screen.html",
        frame=frame,
        total=total or {"currency": currency, "gmv": 0, "orders": 0},
        campaign=campaign,
        channel_names=CHANNEL_NAMES,
    )


@router.get("/operator/metrics")
async def metrics(
    request: Request,
    days: int = Query(default=14, ge=1, le=92),
    _: User = Depends(operator),
    rt: Runtime = Depends(runtime),
) -> Response:
    async with rt.db.read() as s:
        found = await daily_metrics(s, days)
    return render(request, "operator/metrics.html", days=found)
