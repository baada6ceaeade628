"""The live room page: server-rendered first paint, then ``room.js`` takes over over WebSocket.

The flash-deal banner's design is the shopper's variant of ``room.deal_banner`` (``classic``,
the control, or ``countdown``: a bold bar of the time and stock left); ``room.js`` logs the
exposure through ``POST /api/experiments/room.deal_banner/exposure`` when a deal is shown.

The page records the room's last sequence number *before* reading the show, so the socket
(``/ws/shows/{id}?after=SEQ``) replays anything that changed in between: nothing is missed.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import runtime
from hawker.accounts.models import User
from hawker.campaigns.service import badges_for
from hawker.creators import service as creators
from hawker.deals import service as deals
from hawker.experiments.registry import registry_of
from hawker.experiments.surfaces import DEVICE_COOKIE, unit_for
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.live.hub import hub_of
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
CHAT_ON_PAGE = 30
DEAL_BANNER = "room.deal_banner"
DEAL_DESIGNS = ("classic", "countdown")


def deal_design(rt: Runtime, request: Request, user: User | None) -> dict[str, Any]:
    """The banner design this shopper sees (an unknown value: the classic one), and the
    experiment to report its exposure to when the banner appears (None: not in it)."""
    registry = registry_of(rt)
    unit = unit_for(
        registry, DEAL_BANNER, user.id if user else None, request.cookies.get(DEVICE_COOKIE)
    )
    found = (
        registry.variant(DEAL_BANNER, unit) if unit is not None else registry.default(DEAL_BANNER)
    )
    design = found.value if found.value in DEAL_DESIGNS else "classic"
    return {"design": design, "experiment": DEAL_BANNER if found.in_experiment else None}


def _me(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.display_name} if user else None


@router.get("/shows/{show_id}")
async def room(request: Request, show_id: int, rt: Runtime = Depends(runtime)) -> Response:
    seq = await rt.bus.last_seq(live.room_channel(show_id))
    async with rt.db.read() as s:
        row = await live.access_show(s, show_id)
        likes = row.likes
        show = await live.show_out(
            s, row, await hub_of(rt).viewers(show_id), hls_base=rt.settings.public_hls_url
        )
        chat = await live.recent_chat(s, show_id, CHAT_ON_PAGE)
        deal_row = await deals.live_deal(s, show_id)
        deal = deals.deal_out(deal_row) if deal_row else None
        me = getattr(request.state, "user", None)
        following = row.host_id in await creators.followed_hosts(s, me, [row.host_id])
        badges = (await badges_for(s, show_ids=[show_id])).get(("show", show_id), [])
    state = {
        "show": show.model_dump(mode="json"),
        "deal": deal.model_dump(mode="json") if deal else None,
        "seq": seq,
        "likes": likes,
        "me": _me(me),
        "following": following,
        "chat_ids": [m.id for m in chat],
        "deal_banner": deal_design(rt, request, me),
    }
    return render(
        request,
        "room.html",
        show=show,
        chat=chat,
        deal=deal,
        state=state,
        likes=likes,
        badges=badges,
    )
