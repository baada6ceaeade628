from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient

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
