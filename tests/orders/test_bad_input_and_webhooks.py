"""Bad input gets a problem body and changes nothing; payment webhooks are idempotent."""

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.infra.payments import RefundTooLarge, sign
from hawker.infra.runtime import runtime_of
from tests.conftest import assert_problem
from tests.orders.conftest import buy, key, pay, sku_counts


@pytest.mark.parametrize(
    ("items", "status", "code"),
    [
        ([{"sku_id": 999, "quantity": 1}], 404, "not_found"),
        ([{"sku_id": "abc", "quantity": 1}], 422, "invalid"),
        ([{"sku_id": "{sku}", "quantity": 0}], 422, "invalid"),
        ([{"sku_id": "{sku}", "quantity": -3}], 422, "invalid"),
        ([{"sku_id": "{sku}", "quantity": 11}], 409, "out_of_stock"),
        ([{"sku_id": "{sku}", "deal_id": 1, "quantity": 1}], 422, "invalid"),
        ([{"deal_id": 999, "quantity": 1}], 404, "not_found"),
        ([], 422, "invalid"),
    ],
)
def test_bad_orders_change_nothing(
    shop: Callable[..., dict[str, Any]], items: list[Any], status: int, code: str
) -> None:
    ctx = shop(stock=10)
    items = json.loads(json.dumps(items).replace('"{sku}"', str(ctx["sku"])))
    assert_problem(buy(ctx["buyer"], items), status, code)
    assert ctx["buyer"].get("/api/orders").json() == []
    assert sku_counts(ctx["buyer"], ctx["product"]["id"]) == (10, 0, 0)


def test_unauthenticated_and_wrong_types(
    client: TestClient, shop: Callable[..., dict[str, Any]]
) -> None:
    ctx = shop()
    body = {"items": [{"sku_id": ctx["sku"], "quantity": 1}]}
    assert_problem(client.post("/api/orders", json=body, headers=key()), 401)
    assert_problem(buy(ctx["buyer"], body["items"], channel="telepathy"), 422)
    assert_problem(
        ctx["buyer"].post("/api/orders/abc/pay", json={"card": "4242424242424242"}, headers=key()),
        422,
    )
    assert_problem(pay(ctx["buyer"], 999), 404)
    order = buy(ctx["buyer"], body["items"]).json()
    assert_problem(pay(ctx["buyer"], order["id"], card="not a card"), 422)
    assert_problem(ctx["buyer"].get("/api/merchant/orders?status=lost"), 422)
    assert ctx["buyer"].get(f"/api/orders/{order['id']}").json()["status"] == "pending"


def post_event(client: TestClient, event: dict[str, Any], secret: str | None = None) -> Any:
    payload = json.dumps(event).encode()
    secret = secret or runtime_of(client.app).settings.secret_key
    return client.post(
        "/api/webhooks/payments",
        content=payload,
        headers={"X-Hawker-Signature": sign(payload, secret), "content-type": "application/json"},
    )


def event(kind: str, order_id: int, payment_id: str, amount: int) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex[:10]}",
        "type": kind,
        "payment_id": payment_id,
        "order_ref": f"order-{order_id}",
        "amount": amount,
        "currency": "USD",
        "created": 0,
    }


def test_webhooks_are_signed_idempotent_and_order_tolerant(
    client: TestClient, shop: Callable[..., dict[str, Any]]
) -> None:
    ctx = shop(stock=5)
    buyer = ctx["buyer"]
    order = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}]).json()
    captured = event("payment.captured", order["id"], "pay_abc", order["total"])
    assert_problem(post_event(client, captured, secret="wrong"), 401, "bad_signature")
    assert_problem(client.post("/api/webhooks/payments", json=captured), 401)
    assert buyer.get(f"/api/orders/{order['id']}").json()["status"] == "pending"
    # a capture the API never saw (the pay request died after charging) still pays the order
    assert post_event(client, captured).json() == {"duplicate": False}
    assert post_event(client, captured).json() == {"duplicate": True}
    assert buyer.get(f"/api/orders/{order['id']}").json()["status"] == "paid"
    assert sku_counts(buyer, ctx["product"]["id"]) == (4, 0, 1)
    refunded = event("refund.succeeded", order["id"], "pay_abc", order["total"])
    assert post_event(client, refunded).json() == {"duplicate": False}
    assert post_event(client, refunded).json() == {"duplicate": True}
    assert buyer.get(f"/api/orders/{order['id']}").json()["status"] == "refunded"

    # out of order: the refund arrives before its capture -> the order is not paid
    second = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}]).json()
    post_event(client, event("refund.succeeded", second["id"], "pay_xyz", second["total"]))
    post_event(client, event("payment.captured", second["id"], "pay_xyz", second["total"]))
    assert buyer.get(f"/api/orders/{second['id']}").json()["status"] == "cancelled"
    assert sku_counts(buyer, ctx["product"]["id"]) == (4, 0, 1)


def test_second_capture_for_a_paid_order_is_given_back(
    client: TestClient, shop: Callable[..., dict[str, Any]]
) -> None:
    ctx = shop(stock=5)
    buyer = ctx["buyer"]
    order = pay(buyer, buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}]).json()["id"]).json()
    provider = runtime_of(client.app).services["payments"]
    stray = client.portal.call(
        lambda: provider.charge(  # type: ignore[union-attr]
            order_ref=f"order-{order['id']}",
            amount=order["total"],
            currency="USD",
            card="5555555555554444",
            idempotency_key="stray",
        )
    )
    post_event(client, event("payment.captured", order["id"], stray.id, order["total"]))
    with pytest.raises(RefundTooLarge, match="exceeds the 0 left"):  # all of it went back
        client.portal.call(
            lambda: provider.refund(payment_id=stray.id, amount=1, idempotency_key="probe")  # type: ignore[union-attr]
        )
    assert buyer.get(f"/api/orders/{order['id']}").json()["status"] == "paid"
    assert sku_counts(buyer, ctx["product"]["id"]) == (4, 0, 1)
    unknown = post_event(client, event("payment.captured", order["id"], "pay_nobody", 1))
    assert unknown.json() == {"duplicate": False}


@pytest.mark.parametrize(
    ("content", "content_type", "field"),
    [
        (b'{"items": [', "application/json", "body"),  # cut short
        (b"", "application/json", "body"),
        (b"items=1", "application/x-www-form-urlencoded", "body"),
        (b'{"items": [{"sku_id": 1, "quantity": 1}], "tip": 5}', "application/json", "tip"),
        (b'{"items": [{"sku_id": 1, "quantity": "many"}]}', None, "items.0.quantity"),
    ],
)
def test_an_order_body_is_read_whole_or_refused(
    shop: Callable[..., dict[str, Any]], content: bytes, content_type: str | None, field: str
) -> None:
    """The buy route validates its body from the raw bytes (``BodyRoute``), not through
    FastAPI's parameters: broken JSON, a form, an unknown field or a wrong type still get the
    422 problem naming the field, and nothing is reserved."""
    ctx = shop(stock=10)
    headers = key() | ({"content-type": content_type} if content_type else {})
    response = ctx["buyer"].post("/api/orders", content=content, headers=headers)
    problem = assert_problem(response, 422, "invalid")
    assert [e["field"] for e in problem["errors"]] == [field]
    assert sku_counts(ctx["buyer"], ctx["product"]["id"]) == (10, 0, 0)


def test_an_order_body_without_a_content_type_is_read_as_json(
    shop: Callable[..., dict[str, Any]],
) -> None:
    ctx = shop(stock=10)
    body = json.dumps({"items": [{"sku_id": ctx["sku"], "quantity": 2}]}).encode()
    response = ctx["buyer"].post("/api/orders", content=body, headers=key())
    assert response.status_code == 201, response.text
    assert sku_counts(ctx["buyer"], ctx["product"]["id"]) == (8, 2, 0)
