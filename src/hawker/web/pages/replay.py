"""A show's replay page: the recording with its product moments (``replay.js`` seeks and
buys). An ended show whose replay is still being made says so and looks again shortly."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import runtime
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.video import replays
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()


@router.get("/shows/{show_id}/replay")
async def replay_page(
    request: Request,
    show_id: Annotated[int, Path(ge=1, le=replays.MAX_ID)],
    rt: Runtime = Depends(runtime),
) -> Response:
    async with rt.db.read() as s:
        row = await live.access_show(s, show_id)
        if row.status == "ended" and await replays.replay_of(s, show_id) is None:
            show = await live.show_out(s, row)
            return render(request, "replay.html", show=show, replay=None, state=None)
        show_row, replay_row = await replays.access_replay(s, show_id)
        replay = await replays.replay_out(s, show_row, replay_row)
        show = await live.show_out(s, show_row)
    user = getattr(request.state, "user", None)
    if user is not None:
        async with rt.db.write() as s:
            await replays.do_record_view(s, user, show_row)
    state = {
        "replay": replay.model_dump(mode="json"),
        "me": {"id": user.id, "name": user.display_name} if user else None,
    }
    return render(request, "replay.html", show=show, replay=replay, state=state)
