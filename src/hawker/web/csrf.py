"""CSRF protection by double-submit token (pure ASGI so request bodies stay untouched).

Rule: a state-changing request that relies on the session cookie must echo the ``hawker_csrf``
cookie in the ``X-CSRF-Token`` header (HTMX sends it on every request) or, for plain
url-encoded forms, in a ``csrf_token`` field. Page routes (outside ``/api``) always need it, so
log-in forms are covered too; bearer-token API calls and cookie-less API calls carry no ambient
authority and are exempt.
"""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hawker.core.ids import new_token

CSRF_COOKIE = "hawker_csrf"
SESSION_COOKIE = "hawker_session"
SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}
MAX_FORM_BYTES = 1_000_000
TOKEN = "csrf_token"  # in the request's state


def csrf_token(state: dict[str, Any]) -> str:
    """The request's token: its cookie's, or a new one that the response's cookie will carry.
    Made on first use: most requests (API calls, a sale's crowd) never render a page."""
    if TOKEN not in state:
        state[TOKEN] = new_token(16)
    token: str = state[TOKEN]
    return token


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = SimpleCookie(headers.get("cookie", ""))
        cookie_token = cookies[CSRF_COOKIE].value if CSRF_COOKIE in cookies else ""
        state = scope.setdefault("state", {})
        if cookie_token:
            state[TOKEN] = cookie_token

        if scope["method"] not in SAFE and self._needs_check(scope, headers, cookies):
            sent = headers.get("x-csrf-token", "")
            if not sent and headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                body, receive = await _buffer(receive)
                sent = parse_qs(body.decode("latin-1")).get("csrf_token", [""])[0]
            if not cookie_token or not hmac.compare_digest(sent, cookie_token):
                await _reject(send)
                return

        async def send_with_cookie(message: Message) -> None:
            # Only a page carries the token (base.html), so only a page sets its cookie: API
            # clients and probes get none they would never use.
            if message["type"] == "http.response.start" and not cookie_token and _is_html(message):
                attrs = f"{CSRF_COOKIE}={csrf_token(state)}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure:
                    attrs += "; Secure"
                message.setdefault("headers", []).append((b"set-cookie", attrs.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _needs_check(scope: Scope, headers: Headers, cookies: SimpleCookie) -> bool:
        path: str = scope["path"]
        if headers.get("authorization", "").lower().startswith("bearer "):
            return False
        if path.startswith("/api/"):
            return SESSION_COOKIE in cookies
        return True


def _is_html(start: Message) -> bool:
    return any(
        name == b"content-type" and value.startswith(b"text/html")
        for name, value in start.get("headers", ())
    )


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body") or size > MAX_FORM_BYTES:
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


async def _reject(send: Send) -> None:
    body = json.dumps(
        {
            "type": "https://hawker.dev/problems/csrf_failed",
            "title": "CSRF check failed",
            "status": 403,
            "code": "csrf_failed",
            "detail": "missing or wrong CSRF token; reload the page and try again",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
