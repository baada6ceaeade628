"""Host studio: my shows, scheduling, the live control room for one show, and the profile."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.catalog import service as catalog
from hawker.creators import mcn, profiles
from hawker.creators import service as creators
from hawker.creators.schemas import BIO_MAX, CATEGORIES_MAX
from hawker.deals import service as deals
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.live.hub import hub_of
from hawker.orders import service as orders
from hawker.video import service as video
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
host_user = require_role("host")


@router.get("/studio")
async def studio(
    request: Request, user: User = Depends(host_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        shows = [await live.show_out(s, show) for show in await live.list_shows(s, host_id=user.id)]
        products = [catalog.product_out(p) for p in await catalog.list_products(s, limit=100)]
        invites = await mcn.invites_for_host(s, user)
    shows.sort(key=lambda show: (show.status != "live", show.status == "ended"))
    return render(request, "studio/index.html", shows=shows, products=products, invites=invites)


@router.get("/studio/shows/{show_id}")
async def studio_show(
    request: Request, show_id: int, user: User = Depends(host_user), rt: Runtime = Depends(runtime)
) -> Response:
    seq = await rt.bus.last_seq(live.room_channel(show_id))
    async with rt.db.write() as s:  # the stream key row is made on first look
        row, key_row = await video.access_stream(s, user, show_id)
        # the key itself is not rendered: studio.js fetches it when the host reveals it
        stream = video.stream_out(rt.settings, row, key_row).model_dump(exclude={"stream_key"})
    async with rt.db.read() as s:
        row = await live.access_show_as_host(s, user, show_id)
        likes = row.likes
        show = await live.show_out(s, row, await hub_of(rt).viewers(show_id))
        chat = await live.recent_chat(s, show_id, 100)
        show_deals = [deals.deal_out(d) for d in await deals.list_deals(s, show_id)]
        stats = await orders.show_stats(s, show_id)
    options = {k.id: f"{p.title} · {k.name}" for p in show.lineup for k in p.skus}
    return render(
        request,
        "studio/show.html",
        options=options,
        show=show,
        chat=chat,
        deals=show_deals,
        stats=stats,
        likes=likes,
        seq=seq,
        stream=stream,
    )


@router.get("/studio/profile")
async def studio_profile(
    request: Request, user: User = Depends(host_user), rt: Runtime = Depends(runtime)
) -> Response:
    """The bio and categories form; ``studio_profile.js`` saves it through the JSON API."""
    async with rt.db.read() as s:
        profile = await profiles.host_detail(s, await creators.access_host(s, user.id), user)
        categories = await catalog.list_categories(s)
    return render(
        request,
        "studio/profile.html",
        profile=profile,
        chosen={c.id for c in profile.categories},
        categories=categories,
        bio_max=BIO_MAX,
        categories_max=CATEGORIES_MAX,
    )
