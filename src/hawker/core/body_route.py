"""A route for a hot JSON endpoint: its one body model validated straight from the raw bytes.

FastAPI's own request handler resolves every declared parameter, decodes the body with the
``json`` module, then validates the resulting dict: about a quarter (~40 µs) of a flash-sale
refusal's time in-process, and the bulk of the server's CPU per attempt in a sale is refusals
(bench/RESULTS.md). A ``BodyRoute`` keeps the endpoint's signature for the OpenAPI document and
calls it as ``endpoint(body, request)``, the body parsed and validated in one step by
pydantic-core (``model_validate_json``). This is FastAPI's documented extension point (a custom
``APIRoute`` with its own route handler).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, get_type_hints

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError


def _is_json(content_type: str) -> bool:
    """FastAPI's rule (application/json or application/*+json), which it keeps inline."""
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class BodyRoute(APIRoute):
    """For ``async def endpoint(body: Model, request: Request) -> Response`` only: the route
    refuses at start-up any other parameter, which it would not resolve."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kw: Any) -> None:
        hints = get_type_hints(endpoint)
        params = list(inspect.signature(endpoint).parameters)
        if params != ["body", "request"] or not issubclass(hints.get("body", object), BaseModel):
            raise TypeError(f"{endpoint.__name__}: a BodyRoute takes (body: Model, request)")
        self.body_model: type[BaseModel] = hints["body"]  # read by the handler __init__ builds
        super().__init__(path, endpoint, **kw)
        if self.dependencies:
            raise TypeError(f"{endpoint.__name__}: a BodyRoute resolves no dependencies")

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint, model = self.endpoint, self.body_model

        async def handle(request: Request) -> Response:
            # as FastAPI: a body without a content type is read as JSON
            if not _is_json(request.headers.get("content-type", "application/json")):
                raise RequestValidationError(
                    [{"type": "content_type", "loc": ("body",), "msg": "send a JSON body"}]
                )
            try:
                body = model.model_validate_json(await request.body())
            except ValidationError as e:
                # FastAPI's locations start at "body"; the problem handler reads them so
                raise RequestValidationError(
                    [{**err, "loc": ("body", *err["loc"])} for err in e.errors()]
                ) from None
            response: Response = await endpoint(body, request)
            return response

        return handle
