"""Server-rendered pages (Jinja2 + HTMX + small ES modules)."""

from __future__ import annotations

from fastapi import APIRouter

from hawker.web.pages import (
    auth,
    big_screen,
    campaigns,
    coupons,
    earnings,
    experiments,
    front_page,
    home,
    hosts,
    leaderboards,
    marketplace,
    mcn,
    merchant,
    notifications,
    operator,
    replay,
    room,
    shop,
    studio,
    videos,
)

# the home page is the busiest route: the app matches it before the API and the other pages
# (routes are tried in order, and trying a few hundred costs about a millisecond)
home_router = home.router
router = APIRouter(include_in_schema=False)
for _module in (
    auth,
    campaigns,
    coupons,
    big_screen,
    earnings,
    experiments,
    front_page,
    hosts,
    leaderboards,
    marketplace,
    mcn,
    merchant,
    notifications,
    operator,
    replay,
    room,
    shop,
    studio,
    videos,
):
    router.include_router(_module.router)
