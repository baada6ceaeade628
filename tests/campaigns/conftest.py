"""Campaigns fixtures: an operator, a running festival, audit entries and sweeps on demand;
coupons made over the API, and direct reads of the tables the API does not show."""

import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import AuditEntry
from hawker.campaigns import listeners
from hawker.core.clock import clock, utcnow
from hawker.core.config import Settings
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.creators.conftest import settle as settle  # re-exported fixture
from tests.orders.conftest import shop as shop  # re-exported fixture

T = TypeVar("T")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Background sweeps stay out of the way: tests sweep when they say so."""
    return settings.model_copy(
        update={"ledger_sweep_seconds": 3600.0, "campaign_gmv_sweep_seconds": 3600.0}
    )


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.offset_seconds = 0


@pytest.fixture
def in_db(client: TestClient) -> Callable[[Callable[[AsyncSession], Awaitable[T]]], T]:
    """Run ``fn(session)`` in one write unit of the app's database."""
    rt = runtime_of(client.app)

    def run(fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def unit() -> T:
            async with rt.db.write() as s:
                return await fn(s)

        return client.portal.call(unit)  # type: ignore[union-attr, no-any-return]

    return run


@pytest.fixture
def audits(in_db: Callable[..., Any]) -> Callable[[], list[AuditEntry]]:
    async def fetch(s: AsyncSession) -> list[AuditEntry]:
        return list(await s.scalars(select(AuditEntry).order_by(AuditEntry.id)))

    return lambda: in_db(fetch)


@pytest.fixture
def sweep(client: TestClient) -> Callable[[], int]:
    """One pass of the campaign GMV consumer (the background job does it every second)."""
    rt = runtime_of(client.app)
    return lambda: client.portal.call(listeners.run_listeners, rt)  # type: ignore[union-attr]


def iso(delta: timedelta) -> str:
    return (utcnow() + delta).isoformat() + "Z"


@pytest.fixture
def festival(make_user: Callable[..., Api]) -> Callable[..., dict[str, Any]]:
    """``festival()``: a campaign running from an hour ago for two days, and its operator."""

    def make(operator: Api | None = None, **overrides: Any) -> dict[str, Any]:
        op = operator or make_user("operator")
        body = {
            "name": "Singles' Day",
            "slug": f"singles-day-{len(op.user['email'])}-{op.user['id']}",
            "theme_colour": "#e0245e",
            "rules": "Deal prices only.",
            "starts_at": iso(timedelta(hours=-1)),
            "ends_at": iso(timedelta(days=2)),
        } | overrides
        r = op.post("/api/campaigns", json=body)
        assert r.status_code == 201, r.text
        return r.json() | {"operator": op}

    return make


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
