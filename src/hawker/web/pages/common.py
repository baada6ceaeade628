"""What every page router shares: HTML errors instead of problem bodies, the log-in redirect,
and safe ``next=`` targets.

Pages reuse the API's auth dependencies (``current_user``, ``require_role``); the route class
turns their errors into what a browser wants: a redirect to /login, or an error page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hawker.accounts.auth import optional_user
from hawker.core.errors import HawkerError, Unauthenticated
from hawker.web.render import render


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: ``//evil.example`` and ``https://...`` fall back to the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def login_redirect(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='/')}", status_code=303)


class PageRoute(APIRoute):
    """Domain errors on a page render as HTML; 'log in first' redirects to the log-in form."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                return login_redirect(request)
            except HawkerError as e:
                return render(
                    request,
                    "error.html",
                    status_code=e.status,
                    title=e.title,
                    detail=e.detail,
                )

        return page_handler


def page_router() -> APIRouter:
    """A router whose routes resolve the (optional) user first, so every page header knows it."""
    return APIRouter(
        route_class=PageRoute, include_in_schema=False, dependencies=[Depends(optional_user)]
    )
