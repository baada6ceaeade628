"""The home page: the published front-page layout, composed for this shopper."""

from __future__ import annotations

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import optional_user, runtime
from hawker.accounts.models import User
from hawker.feed.service import front_page
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()


@router.get("/")
async def home(
    request: Request, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> Response:
    page = await front_page(rt, user, request.headers.get("accept-language", ""))
    return render(request, "home.html", sections=page, preview=None)
