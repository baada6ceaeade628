"""Who is calling: bearer API tokens for the JSON API, cookie sessions for pages.

FastAPI dependencies; permission checks on resources live in each context's ``access_*``.
"""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from hawker.accounts import service
from hawker.accounts.models import User
from hawker.core.errors import Unauthenticated
from hawker.infra.runtime import Runtime, runtime_of

SESSION_COOKIE = "hawker_session"


def runtime(conn: HTTPConnection) -> Runtime:
    return runtime_of(conn.app)


async def optional_user(conn: HTTPConnection) -> User | None:
    """The caller, resolved once per request and cached on its state."""
    if hasattr(conn.state, "user"):
        cached: User | None = conn.state.user
        return cached
    rt = runtime_of(conn.app)
    user: User | None = None
    header = conn.headers.get("authorization", "")
    async with rt.db.read() as s:
        if header.lower().startswith("bearer "):
            user = await service.access_user_by_api_token(s, header[7:].strip())
        elif token := conn.cookies.get(SESSION_COOKIE):
            user = await service.access_user_by_session(s, token)
    conn.state.user = user
    return user


async def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise Unauthenticated("log in or send an API token (Authorization: Bearer ...)")
    return user


def require_role(role: str):  # type: ignore[no-untyped-def]
    async def dep(user: User = Depends(current_user)) -> User:
        service.check_role(user, role)
        return user

    return dep


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
