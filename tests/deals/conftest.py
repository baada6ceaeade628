import os
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.infra.runtime import Runtime, runtime_of
from tests.conftest import Api

T = TypeVar("T")


@pytest.fixture
def rt(client: TestClient) -> Runtime:
    return runtime_of(client.app)


@pytest.fixture
def run(client: TestClient) -> Callable[[Callable[[], Coroutine[Any, Any, T]]], T]:
    """Run a coroutine on the app's event loop (where its database engine lives)."""

    def call(fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
        return client.portal.call(fn)  # type: ignore[union-attr]

    return call


@pytest.fixture
def replay_look_ups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Idempotency-Keys whose earlier response ``POST /api/orders`` looked up outside its
    write unit (after a refusal, or after a twin's commit), in order."""
    from hawker.orders import api as orders_api

    looked_up: list[str] = []
    real = orders_api._replay

    async def counted(rt_: Runtime, k: Any) -> Any:
        looked_up.append(k.key)
        return await real(rt_, k)

    monkeypatch.setattr(orders_api, "_replay", counted)
    return looked_up


@pytest.fixture
def unit_look_ups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Idempotency-Keys whose earlier response ``POST /api/orders`` looked up inside its
    write unit, before placing the order, in order."""
    from hawker.orders import api as orders_api

    looked_up: list[str] = []
    real = orders_api.find_replay

    async def counted(s: Any, k: Any) -> Any:
        if isinstance(s, AsyncSession):  # not ``_replay``'s bare connection
            looked_up.append(k.key)
        return await real(s, k)

    monkeypatch.setattr(orders_api, "find_replay", counted)
    return looked_up


@pytest.fixture
def deal_show(make_user: Callable[..., Api]) -> Callable[..., dict[str, Any]]:
    """A live show with one product (one SKU with ``stock`` units) in its line-up."""

    def make(stock: int = 100, price: int = 2000) -> dict[str, Any]:
        merchant, host = make_user("merchant"), make_user("host")
        product = merchant.post(
            "/api/products",
            json={
                "title": "Lipstick",
                "skus": [{"name": "Ruby", "price": price, "currency": "USD", "stock": stock}],
            },
        ).json()
        show = host.post(
            "/api/shows",
            json={
                "title": "Glow",
                "scheduled_start": "2026-01-01T10:00:00Z",
                "product_ids": [product["id"]],
            },
        ).json()
        host.post(f"/api/shows/{show['id']}/start")
        return {
            "host": host,
            "merchant": merchant,
            "show": show,
            "product": product,
            "sku": product["skus"][0]["id"],
        }

    return make


def redis_test_url() -> str:
    """Redis logical db 12 belongs to the inventory tests (they may flush it); the server is
    shared, so every test also namespaces its keys."""
    url = os.environ.get("HAWKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as e:
        reason = f"Redis at {url} is unreachable ({e})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the Redis stock tests")
        pytest.skip(reason)
    return url


def redis_namespace() -> Iterator[str]:
    """A fresh key prefix on the test Redis, its keys deleted afterwards."""
    url = redis_test_url()
    prefix = f"test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    yield from redis_namespace()
