import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx
import pytest

from hawker.core.clock import clock
from tests.conftest import Api

CARD = "4242424242424242"


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.offset_seconds = 0


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def buy(buyer: Api, items: list[dict[str, Any]], **extra: Any) -> httpx.Response:
    return buyer.post("/api/orders", json={"items": items, **extra}, headers=key())


def pay(buyer: Api, order_id: int, card: str = CARD) -> httpx.Response:
    return buyer.post(f"/api/orders/{order_id}/pay", json={"card": card}, headers=key())


@pytest.fixture
def shop(make_user: Callable[..., Api]) -> Callable[..., dict[str, Any]]:
    """A merchant with a product (one SKU), a host live with it, and a buyer."""

    def make(stock: int = 10, price: int = 2500) -> dict[str, Any]:
        merchant, host, buyer = make_user("merchant"), make_user("host"), make_user(name="Zed")
        product = merchant.post(
            "/api/products",
            json={
                "title": "Hoodie",
                "skus": [{"name": "M", "price": price, "currency": "USD", "stock": stock}],
            },
        ).json()
        show = host.post(
            "/api/shows",
            json={
                "title": "Drop",
                "scheduled_start": "2026-01-01T10:00:00Z",
                "product_ids": [product["id"]],
            },
        ).json()
        host.post(f"/api/shows/{show['id']}/start")
        return {
            "merchant": merchant,
            "host": host,
            "buyer": buyer,
            "product": product,
            "sku": product["skus"][0]["id"],
            "show": show,
        }

    return make


def sku_counts(api: Api, product_id: int) -> tuple[int, int, int]:
    sku = api.get(f"/api/products/{product_id}").json()["skus"][0]
    return sku["available"], sku["reserved"], sku["sold"]
