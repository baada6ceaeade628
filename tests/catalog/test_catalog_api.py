"""Catalog API: merchants manage their own products and stock; anyone browses."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Api, assert_problem


def product_body(**over: Any) -> dict[str, Any]:
    body = {
        "title": "Lipstick",
        "description": "matte",
        "skus": [
            {"name": "Ruby", "price": 1900, "currency": "USD", "stock": 10},
            {"name": "Coral", "price": 2100, "currency": "USD", "stock": 5},
        ],
    }
    return body | over


def test_merchant_creates_lists_and_edits_a_product(make_user: Callable[..., Api]) -> None:
    merchant = make_user("merchant", name="Ana Beauty")
    r = merchant.post("/api/products", json=product_body())
    assert r.status_code == 201, r.text
    product = r.json()
    assert product["merchant_name"] == "Ana Beauty" and product["title"] == "Lipstick"
    assert product["price_from"] == 1900 and product["price_display"] == "$19.00"
    assert product["currency"] == "USD" and product["category"] is None
    assert [(k["name"], k["available"], k["reserved"], k["sold"]) for k in product["skus"]] == [
        ("Ruby", 10, 0, 0),
        ("Coral", 5, 0, 0),
    ]
    assert merchant.client.get(f"/api/products/{product['id']}").json() == product
    listed = merchant.client.get("/api/products", params={"q": "LIPST"}).json()
    assert [p["id"] for p in listed] == [product["id"]]
    r = merchant.patch(f"/api/products/{product['id']}", json={"title": " Velvet Lipstick "})
    assert r.json()["title"] == "Velvet Lipstick" and r.json()["description"] == "matte"
    sku = product["skus"][0]["id"]
    r = merchant.patch(f"/api/skus/{sku}", json={"price": 1500, "name": "Ruby Red"})
    assert (r.json()["price"], r.json()["name"], r.json()["price_display"]) == (
        1500,
        "Ruby Red",
        "$15.00",
    )
    assert merchant.post(f"/api/skus/{sku}/stock", json={"delta": 7}).json()["available"] == 17
    assert merchant.post(f"/api/skus/{sku}/stock", json={"delta": -17}).json()["available"] == 0
    after = merchant.client.get(f"/api/products/{product['id']}").json()
    assert after["price_from"] == 1500 and after["skus"][0]["available"] == 0


def test_adding_skus_keeps_one_currency_per_product(make_user: Callable[..., Api]) -> None:
    merchant = make_user("merchant")
    pid = merchant.post("/api/products", json=product_body()).json()["id"]
    r = merchant.post(f"/api/products/{pid}/skus", json={"name": "Nude", "price": 990, "stock": 3})
    assert r.status_code == 201, r.text
    assert (r.json()["name"], r.json()["available"], r.json()["currency"]) == ("Nude", 3, "USD")
    eur = {"name": "Euro", "price": 990, "currency": "eur", "stock": 3}
    assert_problem(merchant.post(f"/api/products/{pid}/skus", json=eur), 422, "invalid")
    mixed = product_body(skus=[eur, {"name": "Dollar", "price": 1, "currency": "USD"}])
    assert_problem(merchant.post("/api/products", json=mixed), 422, "invalid")
    product = merchant.client.get(f"/api/products/{pid}").json()
    assert [k["name"] for k in product["skus"]] == ["Ruby", "Coral", "Nude"]
    assert product["price_from"] == 990
    assert len(merchant.client.get("/api/products").json()) == 1


def test_zero_exponent_currencies_display_without_decimals(make_user: Callable[..., Api]) -> None:
    merchant = make_user("merchant")
    body = product_body(skus=[{"name": "One", "price": 1500, "currency": "jpy", "stock": 1}])
    product = merchant.post("/api/products", json=body).json()
    assert (product["currency"], product["price_display"]) == ("JPY", "¥1,500")


def test_listing_filters_and_pages(make_user: Callable[..., Api]) -> None:
    ana, leo = make_user("merchant"), make_user("merchant")
    made = [ana.post("/api/products", json=product_body(title=f"Mug {i}")).json() for i in range(3)]
    leo.post("/api/products", json=product_body(title="100% cotton tee"))
    hidden = leo.post("/api/products", json=product_body(title="Old tee")).json()
    leo.patch(f"/api/products/{hidden['id']}", json={"active": False})
    client = ana.client

    def titles(**params: Any) -> list[str]:
        return [p["title"] for p in client.get("/api/products", params=params).json()]

    assert titles() == ["100% cotton tee", "Mug 2", "Mug 1", "Mug 0"]  # newest first
    assert titles(merchant_id=made[0]["merchant_id"]) == ["Mug 2", "Mug 1", "Mug 0"]
    assert titles(limit=2, offset=1) == ["Mug 2", "Mug 1"]
    assert titles(q="100%") == ["100% cotton tee"]
    assert titles(q="%") == ["100% cotton tee"]  # literal, not a wildcard
    assert titles(q="_") == []
    assert titles(q="tee") == ["100% cotton tee"]  # inactive products are not listed
    assert client.get(f"/api/products/{hidden['id']}").status_code == 200  # but still resolve
    for bad in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"merchant_id": "x"}):
        assert_problem(client.get("/api/products", params=bad), 422, "invalid")


def test_categories_are_operator_managed(make_user: Callable[..., Api]) -> None:
    operator, merchant = make_user("operator"), make_user("merchant")
    assert_problem(merchant.post("/api/categories", json={"slug": "beauty", "name": "Beauty"}), 403)
    assert_problem(
        merchant.client.post("/api/categories", json={"slug": "beauty", "name": "Beauty"}), 401
    )
    assert merchant.client.get("/api/categories").json() == []
    r = operator.post("/api/categories", json={"slug": "beauty", "name": "Beauty"})
    assert r.status_code == 201, r.text
    cat = r.json()
    assert_problem(operator.post("/api/categories", json={"slug": "beauty", "name": "B"}), 409)
    assert_problem(operator.post("/api/categories", json={"slug": "Bad Slug", "name": "B"}), 422)
    assert merchant.client.get("/api/categories").json() == [cat]
    merchant.post("/api/products", json=product_body(category_id=cat["id"]))
    mug = merchant.post("/api/products", json=product_body(title="Mug")).json()
    found = merchant.get("/api/products", params={"category": "beauty"}).json()
    assert [(p["title"], p["category"]) for p in found] == [("Lipstick", cat)]
    assert merchant.get("/api/products", params={"category": "nope"}).json() == []
    assert_problem(merchant.post("/api/products", json=product_body(category_id=999)), 422)
    assert_problem(merchant.patch(f"/api/products/{mug['id']}", json={"category_id": 999}), 422)
    r = merchant.patch(f"/api/products/{mug['id']}", json={"category_id": cat["id"]})
    assert r.json()["category"] == cat
    cleared = merchant.patch(f"/api/products/{mug['id']}", json={"category_id": None})
    assert cleared.json()["category"] is None


def test_merchant_account_is_created_on_first_use_and_renamed(
    make_user: Callable[..., Api],
) -> None:
    merchant, shopper = make_user("merchant", name="Leo"), make_user()
    me = merchant.get("/api/merchants/me").json()
    assert me["name"] == "Leo" and me["owner_id"] == merchant.user["id"]
    assert merchant.get("/api/merchants/me").json() == me  # exactly one merchant per owner
    renamed = merchant.post("/api/merchants/me", json={"name": "Leo's Shoes"}).json()
    assert renamed == me | {"name": "Leo's Shoes"}
    product = merchant.post("/api/products", json=product_body()).json()
    assert (product["merchant_id"], product["merchant_name"]) == (me["id"], "Leo's Shoes")
    assert_problem(shopper.get("/api/merchants/me"), 403, "forbidden")
    assert_problem(merchant.client.get("/api/merchants/me"), 401, "unauthenticated")
    assert_problem(merchant.post("/api/merchants/me", json={"name": ""}), 422)
    assert_problem(merchant.post("/api/merchants/me", json={"name": "x", "id": 9}), 422)
    assert merchant.get("/api/merchants/me").json()["name"] == "Leo's Shoes"


def test_product_views_are_recorded_for_known_callers_only(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    merchant, shopper, operator = make_user("merchant"), make_user(), make_user("operator")
    pid = merchant.post("/api/products", json=product_body()).json()["id"]
    client.get(f"/api/products/{pid}")
    shopper.get(f"/api/products/{pid}")
    shopper.get("/api/products/999")
    views = operator.get("/api/analytics/events", params={"type": "product.view"}).json()
    assert [(e["user_id"], e["product_id"]) for e in views] == [(shopper.user["id"], pid)]
