"""Who is calling: bearer API tokens for the JSON API, cookie sessions for pages.

FastAPI dependencies; permission checks on resources live in each context's ``access_*``.
"""

from __future__ import annotations

import time

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from hawker.accounts import service
from hawker.accounts.models import User
from hawker.core.errors import Unauthenticated
from hawker.infra.runtime import Runtime, runtime_of

SESSION_COOKIE = "hawker_session"
CACHE_SECONDS = 30.0


class CredentialCache:
    """Recently resolved tokens and session cookies, so a busy client (a flash sale) does not
    cost a database round trip per request just to say who it is. Entries live for
    ``CACHE_SECONDS``; log-out evicts at once in this process."""

    def __init__(self, ttl: float = CACHE_SECONDS, size: int = 50_000) -> None:
        self.ttl, self.size = ttl, size
        self._entries: dict[str, tuple[float, User]] = {}

    def get(self, credential: str) -> User | None:
        hit = self._entries.get(credential)
        if hit is None or hit[0] < time.monotonic():
            self._entries.pop(credential, None)
            return None
        return hit[1]

    def put(self, credential: str, user: User) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # crude but bounded; refilled on the next requests
        self._entries[credential] = (time.monotonic() + self.ttl, user)

    def evict(self, credential: str) -> None:
        self._entries.pop(credential, None)

    def clear(self) -> None:
        self._entries.clear()


def credential_cache(rt: Runtime) -> CredentialCache:
    cache = rt.services.get("credential_cache")
    if cache is None:
        cache = rt.services["credential_cache"] = CredentialCache()
    assert isinstance(cache, CredentialCache)
    return cache


async def runtime(conn: HTTPConnection) -> Runtime:
    """A coroutine on purpose: FastAPI runs plain-function dependencies on a worker thread,
    a hop per request that showed up in the flash-sale profile."""
    return runtime_of(conn.app)


async def optional_user(conn: HTTPConnection) -> User | None:
    """The caller, resolved once per request and cached on its state."""
    if hasattr(conn.state, "user"):
        cached: User | None = conn.state.user
        return cached
    rt = runtime_of(conn.app)
    user: User | None = None
    header = conn.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else ""
    cookie = "" if bearer else conn.cookies.get(SESSION_COOKIE, "")
    credential = f"t:{bearer}" if bearer else f"s:{cookie}" if cookie else ""
    cache = credential_cache(rt)
    if credential and (user := cache.get(credential)) is None:
        async with rt.db.read() as s:
            if bearer:
                user = await service.access_user_by_api_token(s, bearer)
            else:
                user = await service.access_user_by_session(s, cookie)
        if user is not None:
            cache.put(credential, user)
    conn.state.user = user
    return user


async def current_user(conn: HTTPConnection) -> User:
    """Not ``Depends(optional_user)``: each dependency level cost a request ~10 µs (measured)."""
    user = await optional_user(conn)
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
