"""Catalog API: merchants manage their own products and stock; bad input changes nothing."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Api, assert_problem

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


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
    merchant = make_user("merchant")
    r = merchant.post("/api/products", json=product_body())
    assert r.status_code == 201, r.text
    product = r.json()
    assert product["price_from"] == 1900 and product["price_display"] == "$19.00"
    assert [k["available"] for k in product["skus"]] == [10, 5]
    listed = merchant.get("/api/products", params={"q": "lipst"}).json()
    assert [p["id"] for p in listed] == [product["id"]]
    r = merchant.patch(f"/api/products/{product['id']}", json={"title": "Velvet Lipstick"})
    assert r.json()["title"] == "Velvet Lipstick"
    sku = product["skus"][0]["id"]
    assert merchant.patch(f"/api/skus/{sku}", json={"price": 1500}).json()["price"] == 1500
    assert merchant.post(f"/api/skus/{sku}/stock", json={"delta": 7}).json()["available"] == 17
    assert merchant.post(f"/api/skus/{sku}/stock", json={"delta": -17}).json()["available"] == 0


def test_stock_never_goes_negative_and_failed_change_changes_nothing(
    make_user: Callable[..., Api],
) -> None:
    merchant = make_user("merchant")
    sku = merchant.post("/api/products", json=product_body()).json()["skus"][0]["id"]
    assert_problem(
        merchant.post(f"/api/skus/{sku}/stock", json={"delta": -11}), 409, "stock_negative"
    )
    assert_problem(merchant.post(f"/api/skus/{sku}/stock", json={"delta": 0}), 422, "invalid")
    product = merchant.get("/api/products").json()[0]
    assert product["skus"][0]["available"] == 10


def test_merchants_cannot_touch_each_others_products_but_operators_can(
    make_user: Callable[..., Api],
) -> None:
    owner, other, shopper = make_user("merchant"), make_user("merchant"), make_user()
    operator = make_user("operator")
    product = owner.post("/api/products", json=product_body()).json()
    pid, sku = product["id"], product["skus"][0]["id"]
    assert_problem(other.patch(f"/api/products/{pid}", json={"title": "mine"}), 403, "forbidden")
    assert_problem(other.post(f"/api/skus/{sku}/stock", json={"delta": 5}), 403)
    assert_problem(shopper.post("/api/products", json=product_body()), 403)
    assert operator.patch(f"/api/products/{pid}", json={"title": "Fixed"}).status_code == 200
    assert owner.get(f"/api/products/{pid}").json()["title"] == "Fixed"
    assert owner.get(f"/api/products/{pid}").json()["skus"][0]["available"] == 10


def test_bad_input_classes(make_user: Callable[..., Api]) -> None:
    merchant = make_user("merchant")
    client = merchant.client
    assert_problem(client.get("/api/products/999"), 404, "not_found")
    assert_problem(client.get("/api/products/abc"), 422, "invalid")
    assert_problem(
        merchant.post(
            "/api/products", json=product_body(skus=[{"name": "x", "price": -1, "currency": "USD"}])
        ),
        422,
        "invalid",
    )
    assert_problem(
        merchant.post(
            "/api/products", json=product_body(skus=[{"name": "x", "price": 1, "currency": "XXX"}])
        ),
        422,
        "invalid",
    )
    assert_problem(merchant.post("/api/products", json=product_body(skus=[])), 422)
    assert_problem(merchant.post("/api/products", json=product_body(image_url="javascript:x")), 422)
    assert_problem(client.post("/api/products", json=product_body()), 401, "unauthenticated")
    assert_problem(merchant.patch("/api/skus/12345", json={"price": 3}), 404)
    assert merchant.get("/api/products").json() == []


def test_image_upload_accepts_real_images_only(make_user: Callable[..., Api]) -> None:
    merchant = make_user("merchant")
    pid = merchant.post("/api/products", json=product_body()).json()["id"]
    r = merchant.post(f"/api/products/{pid}/image", files={"file": ("x.png", PNG, "image/png")})
    assert r.status_code == 200, r.text
    url = r.json()["image_url"]
    assert url.startswith("/media/products/") and url.endswith(".png")
    assert merchant.client.get(url).content == PNG
    fake = merchant.post(
        f"/api/products/{pid}/image", files={"file": ("evil.png", b"<script>", "image/png")}
    )
    assert_problem(fake, 422, "bad_image")
    assert merchant.get(f"/api/products/{pid}").json()["image_url"] == url


def test_categories_are_operator_managed(make_user: Callable[..., Api]) -> None:
    operator, merchant = make_user("operator"), make_user("merchant")
    assert_problem(merchant.post("/api/categories", json={"slug": "beauty", "name": "Beauty"}), 403)
    cat = operator.post("/api/categories", json={"slug": "beauty", "name": "Beauty"}).json()
    assert_problem(operator.post("/api/categories", json={"slug": "beauty", "name": "B"}), 409)
    merchant.post("/api/products", json=product_body(category_id=cat["id"]))
    merchant.post("/api/products", json=product_body(title="Mug"))
    found = merchant.get("/api/products", params={"category": "beauty"}).json()
    assert [p["title"] for p in found] == ["Lipstick"]
    assert_problem(merchant.post("/api/products", json=product_body(category_id=999)), 422)
