"""The home page: the published front-page layout, composed for this shopper."""

from __future__ import annotations

from fastapi import Depends
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import optional_user, runtime
from hawker.accounts.models import User
from hawker.experiments.surfaces import DEVICE_COOKIE
from hawker.feed.service import SectionView, front_page
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import env, render

router = page_router()
SECTION = env.get_template("_front_section.html")


def rendered(page: list[SectionView]) -> list[Markup]:
    """Each section's HTML; a section shared by every shopper is rendered once while it is
    cached (the cache hands out the same view)."""
    for view in page:
        if view.html is None:
            view.html = SECTION.render(v=view)
    return [Markup(view.html) for view in page]


@router.get("/")
async def home(
    request: Request, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> Response:
    page = await front_page(
        rt,
        user,
        request.headers.get("accept-language", ""),
        device=request.cookies.get(DEVICE_COOKIE),
    )
    return render(request, "home.html", sections=rendered(page), preview=None)
