"""Every class of bad catalog input gets a problem body and changes nothing (invariant 7)."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.catalog.test_catalog_api import product_body
from tests.conftest import Api, assert_problem


@pytest.fixture
def shop(client: TestClient, make_user: Callable[..., Api]) -> dict[str, Any]:
    owner = make_user("merchant")
    product = owner.post("/api/products", json=product_body()).json()
    return {
        "owner": owner,
        "other": make_user("merchant"),
        "shopper": make_user(),
        "operator": make_user("operator"),
        "anonymous": Api(client, "", {}),
        "pid": product["id"],
        "sku": product["skus"][0]["id"],
    }


def catalog_state(client: TestClient) -> Any:
    """Everything a bad request could have touched."""
    return (
        client.get("/api/products", params={"limit": 100}).json(),
        client.get("/api/categories").json(),
    )


def test_stock_never_goes_negative_and_a_refusal_changes_nothing(shop: dict[str, Any]) -> None:
    owner, sku = shop["owner"], shop["sku"]
    before = catalog_state(owner.client)
    body = assert_problem(owner.post(f"/api/skus/{sku}/stock", json={"delta": -11}), 409)
    assert body["code"] == "stock_negative" and "11" in body["detail"]
    assert catalog_state(owner.client) == before
    assert owner.post(f"/api/skus/{sku}/stock", json={"delta": -10}).json()["available"] == 0
    assert_problem(owner.post(f"/api/skus/{sku}/stock", json={"delta": -1}), 409, "stock_negative")
    assert owner.client.get(f"/api/products/{shop['pid']}").json()["skus"][0]["available"] == 0


BAD_STOCK_CHANGES: list[dict[str, Any]] = [
    {"delta": 0},
    {"delta": 1.5},
    {"delta": "5"},
    {"delta": True},
    {"delta": None},
    {},
    {"delta": 10**9},
    {"delta": 1, "sku_id": 2},
]


def test_malformed_stock_changes_are_refused(shop: dict[str, Any]) -> None:
    before = catalog_state(shop["owner"].client)
    for body in BAD_STOCK_CHANGES:
        assert_problem(
            shop["owner"].post(f"/api/skus/{shop['sku']}/stock", json=body), 422, "invalid"
        )
    assert catalog_state(shop["owner"].client) == before


BAD_SKU_PATCHES: list[dict[str, Any]] = [
    {"price": -1},
    {"price": "12"},
    {"price": 12.5},
    {"price": None},
    {"price": 10**13},
    {"name": ""},
    {"name": "   "},
    {"name": None},
    {"name": "x" * 61},
    {"currency": "EUR"},
    {"available": 999},
]


def test_malformed_sku_patches_are_refused(shop: dict[str, Any]) -> None:
    before = catalog_state(shop["owner"].client)
    for patch in BAD_SKU_PATCHES:
        assert_problem(shop["owner"].patch(f"/api/skus/{shop['sku']}", json=patch), 422, "invalid")
    assert catalog_state(shop["owner"].client) == before


BAD_PRODUCT_PATCHES: list[dict[str, Any]] = [
    {"title": None},
    {"title": ""},
    {"title": "x" * 121},
    {"description": None},
    {"active": None},
    {"active": "yes"},
    {"category_id": "1"},
    {"category_id": 0},
    {"merchant_id": 1},
    {"image_url": None},
    {"image_url": "javascript:alert(1)"},
    {"image_url": "data:image/png;base64,AAAA"},
    {"image_url": "ftp://example.com/a.png"},
    {"image_url": "//evil.example/a.png"},
    {"image_url": "/\\evil.example/a.png"},
    {"image_url": "https://"},
    {"image_url": "https://example.com/a b.png"},
]


def test_malformed_product_patches_are_refused(shop: dict[str, Any]) -> None:
    before = catalog_state(shop["owner"].client)
    for patch in BAD_PRODUCT_PATCHES:
        assert_problem(
            shop["owner"].patch(f"/api/products/{shop['pid']}", json=patch), 422, "invalid"
        )
    assert catalog_state(shop["owner"].client) == before


BAD_PRODUCTS: list[dict[str, Any]] = [
    {"title": ""},
    {"title": 5},
    {"skus": []},
    {"skus": [{"name": "x", "price": -1, "currency": "USD"}]},
    {"skus": [{"name": "x", "price": "1", "currency": "USD"}]},
    {"skus": [{"name": "x", "price": 1, "currency": "XXX"}]},
    {"skus": [{"name": "x", "price": 1, "stock": -1}]},
    {"skus": [{"name": "x", "price": 1, "stock": 1, "sold": 3}]},
    {"skus": "many"},
    {"image_url": "javascript:x"},
    {"category_id": 999},
    {"merchant_id": 1},
]


def test_malformed_products_are_refused(shop: dict[str, Any]) -> None:
    before = catalog_state(shop["owner"].client)
    for over in BAD_PRODUCTS:
        assert_problem(
            shop["owner"].post("/api/products", json=product_body(**over)), 422, "invalid"
        )
    assert catalog_state(shop["owner"].client) == before


def test_image_urls_may_be_set_to_web_or_site_addresses(shop: dict[str, Any]) -> None:
    owner, pid = shop["owner"], shop["pid"]
    for url in ("https://cdn.example.com/a.png?v=2", "http://example.com/b.jpg", "/static/x.svg"):
        assert owner.patch(f"/api/products/{pid}", json={"image_url": url}).json()["image_url"] == (
            url
        )


def test_unknown_ids_are_not_found(shop: dict[str, Any]) -> None:
    owner = shop["owner"]
    before = catalog_state(owner.client)
    sku_body = {"name": "x", "price": 1, "stock": 1}
    for r in (
        owner.get("/api/products/999"),
        owner.patch("/api/products/999", json={"title": "x"}),
        owner.post("/api/products/999/skus", json=sku_body),
        owner.patch("/api/skus/999", json={"price": 3}),
        owner.post("/api/skus/999/stock", json={"delta": 3}),
    ):
        assert_problem(r, 404, "not_found")
    for r in (owner.get("/api/products/abc"), owner.patch("/api/skus/1.5", json={"price": 3})):
        assert_problem(r, 422, "invalid")
    assert catalog_state(owner.client) == before


def test_permissions_between_merchants_operators_shoppers_and_strangers(
    shop: dict[str, Any],
) -> None:
    pid, sku = shop["pid"], shop["sku"]
    sku_body = {"name": "Mine", "price": 1, "stock": 1}
    before = catalog_state(shop["owner"].client)
    for who, status in (("other", 403), ("shopper", 403), ("anonymous", 401)):
        caller: Api = shop[who]
        for r in (
            caller.patch(f"/api/products/{pid}", json={"title": "mine"}),
            caller.post(f"/api/products/{pid}/skus", json=sku_body),
            caller.patch(f"/api/skus/{sku}", json={"price": 1}),
            caller.post(f"/api/skus/{sku}/stock", json={"delta": 5}),
            caller.post(f"/api/skus/{sku}/stock", json={"delta": -5}),
        ):
            assert_problem(r, status)
        assert catalog_state(caller.client) == before, who
    assert_problem(shop["shopper"].post("/api/products", json=product_body()), 403, "forbidden")
    assert_problem(shop["anonymous"].post("/api/products", json=product_body()), 401)
    assert catalog_state(shop["owner"].client) == before

    operator: Api = shop["operator"]
    assert operator.patch(f"/api/products/{pid}", json={"title": "Fixed"}).status_code == 200
    assert operator.post(f"/api/skus/{sku}/stock", json={"delta": 2}).json()["available"] == 12
    assert operator.patch(f"/api/skus/{sku}", json={"price": 1800}).json()["price"] == 1800
    product = shop["owner"].get(f"/api/products/{pid}").json()
    assert (product["title"], product["skus"][0]["available"]) == ("Fixed", 12)
    assert product["merchant_id"] == shop["owner"].get("/api/merchants/me").json()["id"]
