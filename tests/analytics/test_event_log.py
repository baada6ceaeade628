"""The event log is append-only and its metrics add up what was recorded."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hawker.analytics import service
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem


def test_record_and_show_metrics(client: TestClient) -> None:
    rt = runtime_of(client.app)

    async def scenario() -> service.ShowMetrics:
        async with rt.db.write() as s:
            await service.record(s, "room.join", user_id=1, show_id=7)
            await service.record(s, "room.join", user_id=1, show_id=7)
            await service.record(s, "room.join", user_id=2, show_id=7)
            await service.record(s, "room.leave", user_id=1, show_id=7, value=1500)
            await service.record(s, "like", user_id=2, show_id=7, value=12)
            await service.record(s, "chat", user_id=2, show_id=7)
            await service.record(s, "chat", user_id=2, show_id=8)
        async with rt.db.read() as s:
            return await service.show_metrics(s, 7)

    m = client.portal.call(scenario)  # type: ignore[union-attr]
    assert (m.joins, m.unique_viewers, m.watch_ms, m.likes, m.chats) == (3, 2, 1500, 12, 1)


def test_unknown_event_type_is_refused(client: TestClient) -> None:
    rt = runtime_of(client.app)

    async def bad() -> None:
        async with rt.db.write() as s:
            await service.record(s, "made.up")

    with pytest.raises(ValueError):
        client.portal.call(bad)  # type: ignore[union-attr]


def test_the_log_offers_no_update_or_delete() -> None:
    public = {n for n in dir(service) if n.startswith(("do_", "update", "delete"))}
    assert public == set()


def test_events_api_is_for_operators(make_user: Callable[..., Api]) -> None:
    merchant, operator = make_user("merchant"), make_user("operator")
    pid = merchant.post(
        "/api/products",
        json={"title": "T", "skus": [{"name": "a", "price": 1, "currency": "USD", "stock": 1}]},
    ).json()["id"]
    merchant.get(f"/api/products/{pid}")
    assert_problem(merchant.get("/api/analytics/events"), 403)
    events = operator.get("/api/analytics/events", params={"type": "product.view"}).json()
    assert [(e["type"], e["product_id"]) for e in events] == [("product.view", pid)]
