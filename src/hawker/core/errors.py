"""Domain errors. Contexts subclass these in their ``errors.py``; the web layer maps them to
RFC 9457 problem bodies in one place (``hawker.web.problems``)."""

from __future__ import annotations

from typing import Any


class HawkerError(Exception):
    """Base of every expected, client-caused failure."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(HawkerError):
    status = 404
    code = "not_found"
    title = "Not found"


class Unauthenticated(HawkerError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(HawkerError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class Conflict(HawkerError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Invalid(HawkerError):
    status = 422
    code = "invalid"
    title = "Invalid input"


class RateLimited(HawkerError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"


def problem_body(exc: HawkerError, instance: str = "") -> dict[str, Any]:
    """The RFC 9457 body for a domain error (also stored verbatim for idempotent replays)."""
    body: dict[str, Any] = {
        "type": f"https://hawker.dev/problems/{exc.code}",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "code": exc.code,
    }
    if instance:
        body["instance"] = instance
    body.update(exc.extra)
    return body
