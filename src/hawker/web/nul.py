"""Refuse NUL characters at the door, alike on every backend.

PostgreSQL cannot store U+0000 in a text column (an encoding error: it was a 500 there) while
SQLite stores it silently, and no legitimate input holds one. So a request carrying one in its
path, its query, a JSON body (the ``\\u0000`` escape) or a url-encoded form (``%00``) gets a 422
problem before any route runs. Pure ASGI, like the CSRF check; multipart uploads (images) pass
untouched. Room sockets check their text in ``live.service.check_chat_text``.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hawker.web.problems import problem

# ``\u0000`` preceded by an even number of backslashes: an escape, not an escaped backslash.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_SCANNED = ("application/json", "application/x-www-form-urlencoded")


def _has_nul(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/json"):
        return b"\\u0000" in body and _JSON_NUL.search(body) is not None  # cheap test first
    return b"%00" in body


class RefuseNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nul = "\x00" in scope["path"] or b"%00" in scope["query_string"]
        content_type = Headers(scope=scope).get("content-type", "")
        if not nul and content_type.startswith(_SCANNED):
            body, receive = await _buffer(receive)
            nul = _has_nul(content_type, body)
        if not nul:
            await self.app(scope, receive, send)
            return
        refusal = problem(
            422,
            "invalid",
            "Invalid input",
            "text must not contain NUL (U+0000) characters",
            scope["path"].replace("\x00", ""),
        )
        await refusal(scope, receive, send)


async def _buffer(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body (the route reads it whole anyway) and hand it on unchanged."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: let the app see it
            return b"", _first(message, receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    return body, _first({"type": "http.request", "body": body, "more_body": False}, receive)


def _first(message: Message, receive: Receive) -> Receive:
    pending = [message]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
