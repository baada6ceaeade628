"""MCN portal: the roster with its figures, invitations out, and inviting a host."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.creators import mcn
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
mcn_user = require_role("mcn")


@router.get("/mcn")
async def portal(
    request: Request, user: User = Depends(mcn_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        lines = await mcn.roster(s, user)
        invites = await mcn.invites_sent(s, user)
    return render(request, "mcn.html", roster=lines, invites=invites)
