"""The event log is append-only and its metrics add up what was recorded."""

import contextlib
import inspect
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hawker.analytics import service
from hawker.analytics.models import Event
from hawker.core.clock import clock
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


def test_the_log_offers_no_update_or_delete(client: TestClient) -> None:
    """Append-only: the service's functions only append and read, the API only reads."""
    functions = {
        name
        for name, value in vars(service).items()
        if inspect.isfunction(value) and value.__module__ == service.__name__
    }
    assert functions == {"record", "list_events", "show_metrics", "daily_activity"}  # reads
    source = inspect.getsource(service)
    assert "update(" not in source and "delete(" not in source
    paths = client.get("/api/openapi.json").json()["paths"]
    methods = {m for path, ops in paths.items() if path.startswith("/api/analytics") for m in ops}
    assert methods == {"get"}


def test_events_come_back_newest_first_in_append_order(client: TestClient) -> None:
    rt = runtime_of(client.app)

    async def scenario() -> list[Event]:
        for value in range(5):
            async with rt.db.write() as s:
                await service.record(s, "like", show_id=3, value=value, data={"n": value})
            clock.offset_seconds += 1
        async with rt.db.write() as s:
            await service.record(s, "like", show_id=4, value=99)
        async with rt.db.read() as s:
            return await service.list_events(s, show_id=3, limit=4)

    try:
        found = client.portal.call(scenario)  # type: ignore[union-attr]
    finally:
        clock.offset_seconds = 0
    assert [e.value for e in found] == [4, 3, 2, 1]
    assert [e.data for e in found] == [{"n": 4}, {"n": 3}, {"n": 2}, {"n": 1}]
    assert [e.id for e in found] == sorted((e.id for e in found), reverse=True)
    assert [e.at for e in found] == sorted((e.at for e in found), reverse=True)


def test_a_rolled_back_change_leaves_no_event(client: TestClient) -> None:
    rt = runtime_of(client.app)

    async def scenario() -> int:
        with contextlib.suppress(RuntimeError):
            async with rt.db.write() as s:
                await service.record(s, "purchase", order_id=1, value=500)
                raise RuntimeError("the order failed")
        async with rt.db.read() as s:
            return len(await service.list_events(s))

    assert client.portal.call(scenario) == 0  # type: ignore[union-attr]


def test_events_api_is_for_operators(make_user: Callable[..., Api]) -> None:
    merchant, operator = make_user("merchant"), make_user("operator")
    pid = merchant.post(
        "/api/products",
        json={"title": "T", "skus": [{"name": "a", "price": 1, "currency": "USD", "stock": 1}]},
    ).json()["id"]
    merchant.get(f"/api/products/{pid}")
    assert_problem(merchant.get("/api/analytics/events"), 403)
    assert_problem(merchant.client.get("/api/analytics/events"), 401)
    events = operator.get("/api/analytics/events", params={"type": "product.view"}).json()
    assert [(e["type"], e["product_id"], e["user_id"]) for e in events] == [
        ("product.view", pid, merchant.user["id"])
    ]
    assert operator.get("/api/analytics/events", params={"type": "like"}).json() == []
    for bad in ({"type": "made.up"}, {"limit": 0}, {"limit": 1001}, {"show_id": "x"}):
        assert_problem(operator.get("/api/analytics/events", params=bad), 422, "invalid")
