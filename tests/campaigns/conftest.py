"""Campaigns fixtures: an operator, a running festival, audit entries and sweeps on demand."""

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import AuditEntry
from hawker.campaigns import listeners
from hawker.core.clock import clock, utcnow
from hawker.core.config import Settings
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
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
