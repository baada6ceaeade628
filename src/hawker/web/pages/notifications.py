"""The signed-in user's notifications: followed hosts going live or scheduling shows."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.creators import notifications
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()


@router.get("/notifications")
async def page(
    request: Request, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        items = await notifications.recent(s, user.id, limit=50)
    return render(request, "notifications.html", items=items)
