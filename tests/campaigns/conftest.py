"""Coupon fixtures: a shop selling in a live show, an operator, coupons made over the API, and
direct reads of the tables the API does not show."""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from hawker.core.clock import utcnow
from hawker.core.config import Settings
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.creators.conftest import settle as settle  # re-exported fixture
from tests.orders.conftest import shop as shop  # re-exported fixture


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The ledger sweep runs when a test says so."""
    return settings.model_copy(update={"ledger_sweep_seconds": 3600.0})


@pytest.fixture
def operator(make_user: Callable[..., Api]) -> Api:
    return make_user("operator")


def coupon_body(code: str, **values: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "kind": "platform",
        "code": code,
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        **values,
    }


@pytest.fixture
def make_coupon(operator: Api) -> Callable[..., dict[str, Any]]:
    """``make_coupon("SAVE10", percent_bps=1000)``: a platform coupon by the operator, or a
    merchant coupon with ``by=merchant_api, kind="merchant"``."""

    def make(code: str, by: Api | None = None, **values: Any) -> dict[str, Any]:
        r = (by or operator).post("/api/coupons", json=coupon_body(code, **values))
        assert r.status_code == 201, r.text
        return dict(r.json())

    return make


def as_json(value: Any) -> Any:
    """A JSON column read with plain SQL: text on some drivers, decoded on others."""
    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture
def rows(client: TestClient) -> Callable[..., list[Any]]:
    """``rows("SELECT ... WHERE x = :x", x=1)`` read straight from the database."""
    rt = runtime_of(client.app)

    def read(sql: str, **params: Any) -> list[Any]:
        async def fetch() -> list[Any]:
            async with rt.db.read() as s:
                return list((await s.execute(text(sql), params)).all())

        return client.portal.call(fetch)  # type: ignore[union-attr]

    return read
