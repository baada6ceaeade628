"""Buying: orders on reserved stock, payment, idempotency, expiry, carts."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from hawker.core.clock import clock
from hawker.infra.runtime import runtime_of
from hawker.orders.jobs import expire_due_orders
from tests.conftest import Api, assert_problem
from tests.orders.conftest import buy, key, pay, sku_counts


def test_buy_now_pay_and_attribution(shop: Callable[..., dict[str, Any]]) -> None:
    ctx = shop(stock=10)
    buyer, sku = ctx["buyer"], ctx["sku"]
    r = buy(buyer, [{"sku_id": sku, "quantity": 2}], channel="live", show_id=ctx["show"]["id"])
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["status"], order["total"], order["total_display"]) == ("pending", 5000, "$50.00")
    assert (order["channel"], order["show_id"], order["host_id"]) == (
        "live",
        ctx["show"]["id"],
        ctx["host"].user["id"],
    )
    assert sku_counts(buyer, ctx["product"]["id"]) == (8, 2, 0)
    paid = pay(buyer, order["id"])
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid" and paid.json()["paid_at"]
    assert sku_counts(buyer, ctx["product"]["id"]) == (8, 0, 2)
    assert [o["id"] for o in buyer.get("/api/orders").json()] == [order["id"]]
    assert [o["id"] for o in ctx["merchant"].get("/api/merchant/orders").json()] == [order["id"]]


def test_order_creation_and_payment_are_idempotent(
    client: TestClient, shop: Callable[..., dict[str, Any]]
) -> None:
    ctx = shop(stock=10)
    buyer, sku = ctx["buyer"], ctx["sku"]
    headers = key()
    body = {"items": [{"sku_id": sku, "quantity": 1}]}
    first = buyer.post("/api/orders", json=body, headers=headers)
    again = buyer.post("/api/orders", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(buyer.get("/api/orders").json()) == 1
    assert sku_counts(buyer, ctx["product"]["id"]) == (9, 1, 0)
    reused = buyer.post(
        "/api/orders", json={"items": [{"sku_id": sku, "quantity": 2}]}, headers=headers
    )
    assert_problem(reused, 422, "idempotency_key_reused")
    assert_problem(buyer.post("/api/orders", json=body), 400, "idempotency_key_required")

    provider = runtime_of(client.app).services["payments"]
    pay_headers = key()
    url = f"/api/orders/{first.json()['id']}/pay"
    p1 = buyer.post(url, json={"card": "4242424242424242"}, headers=pay_headers)
    p2 = buyer.post(url, json={"card": "4242424242424242"}, headers=pay_headers)
    assert p1.status_code == p2.status_code == 200 and p1.json() == p2.json()
    assert provider.charges == 1
    assert sku_counts(buyer, ctx["product"]["id"]) == (9, 0, 1)
    assert_problem(
        buyer.post(url, json={"card": "4242424242424242"}), 400, "idempotency_key_required"
    )


def test_declined_card_leaves_the_order_pending(shop: Callable[..., dict[str, Any]]) -> None:
    ctx = shop()
    buyer = ctx["buyer"]
    order = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}]).json()
    headers = key()
    url = f"/api/orders/{order['id']}/pay"
    declined = buyer.post(url, json={"card": "4000000000000002"}, headers=headers)
    body = assert_problem(declined, 402, "payment_declined")
    assert "declined" in body["detail"]
    replay = buyer.post(url, json={"card": "4000000000000002"}, headers=headers)
    assert replay.status_code == 402 and replay.json() == body
    assert buyer.get(f"/api/orders/{order['id']}").json()["status"] == "pending"
    assert pay(buyer, order["id"]).json()["status"] == "paid"


def test_paying_an_expired_or_cancelled_order_is_refused(
    shop: Callable[..., dict[str, Any]], settings: Any
) -> None:
    ctx = shop(stock=5)
    buyer, pid = ctx["buyer"], ctx["product"]["id"]
    late = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 2}]).json()
    clock.offset_seconds = settings.reservation_ttl_seconds + 1
    assert_problem(pay(buyer, late["id"]), 409, "reservation_expired")
    assert buyer.get(f"/api/orders/{late['id']}").json()["status"] == "cancelled"
    assert sku_counts(buyer, pid) == (5, 0, 0)
    clock.offset_seconds = 0
    gone = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}]).json()
    assert buyer.post(f"/api/orders/{gone['id']}/cancel").json()["status"] == "cancelled"
    assert_problem(pay(buyer, gone["id"]), 409, "illegal_transition")
    assert sku_counts(buyer, pid) == (5, 0, 0)


def test_expiry_job_cancels_and_returns_stock(
    client: TestClient, shop: Callable[..., dict[str, Any]], settings: Any
) -> None:
    ctx = shop(stock=3)
    buyer = ctx["buyer"]
    kept = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}]).json()
    dropped = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 2}]).json()
    pay(buyer, kept["id"])
    rt = runtime_of(client.app)
    assert client.portal.call(expire_due_orders, rt) == 0  # type: ignore[union-attr]
    clock.offset_seconds = settings.reservation_ttl_seconds + 1
    assert client.portal.call(expire_due_orders, rt) == 1  # type: ignore[union-attr]
    assert buyer.get(f"/api/orders/{dropped['id']}").json()["status"] == "cancelled"
    assert buyer.get(f"/api/orders/{kept['id']}").json()["status"] == "paid"
    assert sku_counts(buyer, ctx["product"]["id"]) == (2, 0, 1)


def test_deal_purchase_uses_the_deal_and_its_limits(
    shop: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = shop(stock=10, price=2500)
    deal = (
        ctx["host"]
        .post(
            f"/api/shows/{ctx['show']['id']}/deals",
            json={
                "sku_id": ctx["sku"],
                "deal_price": 1500,
                "quantity": 2,
                "per_buyer_limit": 1,
                "duration_seconds": 60,
            },
        )
        .json()
    )
    buyer, headers = ctx["buyer"], key()
    body = {"items": [{"deal_id": deal["id"], "quantity": 1}]}
    order = buyer.post("/api/orders", json=body, headers=headers).json()
    assert (order["total"], order["channel"], order["show_id"]) == (1500, "live", ctx["show"]["id"])
    assert order["host_id"] == ctx["host"].user["id"]
    product, line = ctx["product"], order["lines"][0]  # read by the deal's take itself
    assert (order["merchant_id"], line["product_id"], line["title"]) == (
        product["merchant_id"],
        product["id"],
        "Hoodie · M",
    )
    assert_problem(
        buy(buyer, [{"deal_id": deal["id"], "quantity": 1}]), 409, "buyer_limit_exceeded"
    )
    assert buy(make_user(), [{"deal_id": deal["id"], "quantity": 1}]).status_code == 201
    assert_problem(buy(make_user(), [{"deal_id": deal["id"], "quantity": 1}]), 409, "deal_sold_out")
    # Sold out now, and refused before the write lock; a retry of the winning request still
    # gets its order back rather than a "sold out" it never saw.
    again = buyer.post("/api/orders", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == order
    assert len(buyer.get("/api/orders").json()) == 1


def test_cart_checkout_makes_one_order_per_merchant(shop: Callable[..., dict[str, Any]]) -> None:
    a, b = shop(stock=5, price=1000), shop(stock=5, price=300)
    buyer = a["buyer"]
    buyer.post("/api/cart/items", json={"sku_id": a["sku"], "quantity": 2})
    buyer.post("/api/cart/items", json={"sku_id": a["sku"], "quantity": 1})
    cart = buyer.post("/api/cart/items", json={"sku_id": b["sku"], "quantity": 4}).json()
    assert [i["quantity"] for i in cart["items"]] == [3, 4] and cart["totals"] == {"USD": 4200}
    assert buyer.patch(f"/api/cart/items/{b['sku']}", json={"quantity": 1}).json()["totals"] == {
        "USD": 3300
    }
    orders = buyer.post("/api/cart/checkout", json={}, headers=key())
    assert orders.status_code == 201, orders.text
    assert sorted(o["total"] for o in orders.json()) == [300, 3000]
    assert buyer.get("/api/cart").json()["items"] == []
    assert_problem(buyer.post("/api/cart/checkout", json={}, headers=key()), 422, "empty_cart")


def test_checkout_is_all_or_nothing(shop: Callable[..., dict[str, Any]]) -> None:
    a, b = shop(stock=5), shop(stock=1)
    buyer = a["buyer"]
    buyer.post("/api/cart/items", json={"sku_id": a["sku"], "quantity": 2})
    buyer.post("/api/cart/items", json={"sku_id": b["sku"], "quantity": 2})
    assert_problem(buyer.post("/api/cart/checkout", json={}, headers=key()), 409, "out_of_stock")
    assert sku_counts(buyer, a["product"]["id"]) == (5, 0, 0)
    assert buyer.get("/api/orders").json() == []
    assert len(buyer.get("/api/cart").json()["items"]) == 2
