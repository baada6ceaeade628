"""The home page: live now, coming up, short videos, recent replays, products."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import runtime
from hawker.catalog import service as catalog
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.live.hub import hub_of
from hawker.video import clips, replays
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()


@router.get("/")
async def home(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    hub = hub_of(rt)
    async with rt.db.read() as s:
        live_now = [
            await live.show_out(s, show, await hub.viewers(show.id))
            for show in await live.list_shows(s, status="live", limit=12)
        ]
        upcoming = [
            await live.show_out(s, show)
            for show in await live.list_shows(s, status="scheduled", limit=12)
        ]
        products = [catalog.product_out(p) for p in await catalog.list_products(s, limit=20)]
        short_videos = await clips.clips_out(s, await clips.list_clips(s, limit=12), None)
        recent = await replays.list_replays(s, limit=12, before=None)
    live_now.sort(key=lambda show: show.viewers, reverse=True)
    return render(
        request,
        "home.html",
        live_now=live_now,
        upcoming=upcoming,
        products=products,
        short_videos=short_videos,
        replays=recent,
    )
