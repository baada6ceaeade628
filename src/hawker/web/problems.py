"""RFC 9457 problem bodies: the one place domain errors become HTTP (invariant 7)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from hawker.core.db import is_unavailable
from hawker.core.errors import HawkerError, problem_body

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER_SECONDS = 1  # a dropped connection is replaced at once; a failover takes seconds


def problem(
    status: int, code: str, title: str, detail: str, instance: str = "", **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://hawker.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


# The driver's words for a value the database cannot hold (an id beyond the column, a number
# beyond 64 bits): the client's input, refused before anything was written.
_DATA_ERRORS = {"DataError", "NumericValueOutOfRangeError", "StringDataRightTruncationError"}


def _out_of_range(exc: BaseException) -> bool:
    chain = [exc, getattr(exc, "orig", None), exc.__cause__]
    chain.append(getattr(chain[1], "__cause__", None))
    return any(
        isinstance(e, OverflowError) or type(e).__name__ in _DATA_ERRORS
        for e in chain
        if e is not None
    )


def _too_big(request: Request) -> Response:
    return problem(
        422,
        "invalid",
        "Invalid input",
        "a number in the request is out of range",
        request.url.path,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(HawkerError)
    async def domain_error(request: Request, exc: HawkerError) -> Response:
        return JSONResponse(
            problem_body(exc, request.url.path), status_code=exc.status, media_type=PROBLEM
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"field": _location(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "invalid", "Invalid input", detail, request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail), request.url.path)

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, exc: OverflowError) -> Response:
        return _too_big(request)

    async def unavailable(request: Request, exc: Exception) -> Response:
        if _out_of_range(exc):
            return _too_big(request)
        if not is_unavailable(exc):
            raise exc  # a genuine failure: the server error handler answers 500
        log.warning("database unavailable during %s %s: %s", request.method, request.url, exc)
        response = problem(
            503,
            "unavailable",
            "Service unavailable",
            "the database could not be reached or the connection was lost, and no partial "
            "change was kept; retry (with the same Idempotency-Key where one is required)",
            request.url.path,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    for kind in (DBAPIError, PoolTimeout, ConnectionError, TimeoutError):
        app.add_exception_handler(kind, unavailable)
