"""Front-page fixtures: a small market (a live show, an upcoming one, products) and an
operator who edits the layout."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hawker.accounts.audit import AuditEntry
from hawker.core.config import Settings
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.orders.conftest import shop as shop  # re-exported fixture


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Sections are ranked on every page view, so each test sees its changes at once (the
    cache has tests of its own)."""
    return settings.model_copy(update={"feed_cache_seconds": 0.0})


@pytest.fixture
def market(shop: Callable[..., dict[str, Any]], make_user: Callable[..., Api]) -> dict[str, Any]:
    ctx = shop(stock=20, price=2500)
    later = ctx["host"].post(
        "/api/shows",
        json={"title": "Tomorrow's drop", "scheduled_start": "2099-01-01T10:00:00Z"},
    )
    assert later.status_code == 201, later.text
    ctx["later"] = later.json()
    ctx["operator"] = make_user("operator")
    return ctx


def section(title: str, source: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "source": source, **extra}


def publish(operator: Api, sections: list[dict[str, Any]], note: str = "") -> dict[str, Any]:
    """Save the draft and publish it; the published layout (with section ids)."""
    r = operator.put("/api/front-page/draft", json={"sections": sections})
    assert r.status_code == 200, r.text
    r = operator.post("/api/front-page/publish", json={"note": note})
    assert r.status_code == 201, r.text
    return dict(r.json())


def titles(feed: list[dict[str, Any]]) -> list[str]:
    return [x["title"] for x in feed]


@pytest.fixture
def audit(client: TestClient) -> Callable[[str], list[AuditEntry]]:
    """The audit entries of one action, oldest first (straight from the table)."""
    rt = runtime_of(client.app)

    def entries(action: str) -> list[AuditEntry]:
        async def read() -> list[AuditEntry]:
            async with rt.db.read() as s:
                stmt = select(AuditEntry).where(AuditEntry.action == action)
                return list(await s.scalars(stmt.order_by(AuditEntry.id)))

        return client.portal.call(read)  # type: ignore[union-attr, no-any-return]

    return entries
