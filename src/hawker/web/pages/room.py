"""The live room page: server-rendered first paint, then ``room.js`` takes over over WebSocket.

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
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.live.hub import hub_of
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
CHAT_ON_PAGE = 30


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
