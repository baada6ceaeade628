"""Host marketplace: products merchants pay commission on, adding them to a show, and the
host's affiliate links with what each sold."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.creators import affiliate, offers
from hawker.creators.affiliate_api import link_out
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
host_user = require_role("host")


@router.get("/studio/marketplace")
async def marketplace(
    request: Request, user: User = Depends(host_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        items = await offers.marketplace(s, user)
        links = [link_out(row) for row in await affiliate.list_links(s, user)]
        shows = [
            await live.show_out(s, show)
            for show in await live.list_shows(s, host_id=user.id, limit=100)
            if show.status != "ended"
        ]
    lineups = {show.id: [p.id for p in show.lineup] for show in shows}
    return render(
        request,
        "studio/marketplace.html",
        items=items,
        shows=shows,
        lineups=lineups,
        links=links,
        linked={link.product_id: link for link in links},
        window_days=rt.settings.attribution_window_days,
    )
