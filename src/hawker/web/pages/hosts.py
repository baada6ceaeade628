"""A host's public page: who they are, what they sell, their live show now, what is coming
up, and their replays and short videos. ``host.js`` follows and unfollows in place."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import optional_user, runtime
from hawker.accounts.models import User
from hawker.creators import profiles
from hawker.creators import service as creators
from hawker.infra.runtime import Runtime
from hawker.live.hub import hub_of
from hawker.video import clips, replays
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
SHELF = 12


@router.get("/hosts/{host_id}")
async def host_page(
    request: Request,
    host_id: int,
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    async with rt.db.read() as s:
        host = await creators.access_host(s, host_id)
        profile = await profiles.host_detail(s, host, user)
        short_videos = await clips.clips_out(
            s, await clips.list_clips(s, host_id=host.id, limit=SHELF), user
        )
        recent = await replays.list_replays(s, limit=SHELF, before=None, host_id=host.id)
    viewers = await hub_of(rt).viewers(profile.live.id) if profile.live else 0
    return render(
        request,
        "host.html",
        profile=profile,
        viewers=viewers,
        short_videos=short_videos,
        replays=recent,
    )
