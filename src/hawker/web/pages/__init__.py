"""Server-rendered pages (Jinja2 + HTMX + small ES modules)."""

from __future__ import annotations

from fastapi import APIRouter

from hawker.web.pages import auth, home, merchant, replay, room, shop, studio

router = APIRouter(include_in_schema=False)
for _module in (auth, home, merchant, room, shop, studio, replay):
    router.include_router(_module.router)
