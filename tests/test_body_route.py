"""``BodyRoute``: the hot buy route's own body handling keeps its contract with FastAPI."""

from typing import Any

import pytest
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hawker.app import create_app
from hawker.core.body_route import BodyRoute
from hawker.core.config import Settings


class Thing(BaseModel):
    name: str


async def make(body: Thing, request: Request) -> JSONResponse:
    return JSONResponse({"name": body.name})


async def extra_parameter(body: Thing, request: Request, limit: int) -> JSONResponse:
    return JSONResponse({})


def test_a_route_it_would_not_resolve_in_full_is_refused_at_start_up() -> None:
    """It calls ``endpoint(body, request)`` and resolves nothing else, so it refuses
    endpoints or routes declaring more rather than ignoring what they declare."""
    BodyRoute("/things", make, methods=["POST"])
    with pytest.raises(TypeError, match="takes"):
        BodyRoute("/things", extra_parameter, methods=["POST"])
    with pytest.raises(TypeError, match="dependencies"):
        BodyRoute("/things", make, methods=["POST"], dependencies=[Depends(lambda: None)])


def test_the_buy_route_keeps_its_documentation(settings: Settings) -> None:
    spec: dict[str, Any] = create_app(settings).openapi()
    operation = spec["paths"]["/api/orders"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/OrderIn"}
    assert operation["requestBody"]["required"] is True
    assert [p["name"] for p in operation["parameters"]] == ["Idempotency-Key"]
    assert {"201", "422"} <= set(operation["responses"])
