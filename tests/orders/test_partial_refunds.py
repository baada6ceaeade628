"""Partial refunds: a merchant gives back part of a paid order, as often as money is left;
each refund counts once, whether the API or the provider's webhook reports it first."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from hawker.core.idempotency import Keyed
from hawker.infra.payments import events_for
from hawker.infra.runtime import runtime_of
from hawker.orders.payments import refund_ref
from tests.conftest import assert_problem
from tests.orders.conftest import buy, key, pay
from tests.orders.test_bad_input_and_webhooks import event, post_event


def _paid(shop: Callable[..., dict[str, Any]], quantity: int = 2) -> tuple[dict[str, Any], Any]:
    ctx = shop(stock=5, price=2500)
    order = buy(ctx["buyer"], [{"sku_id": ctx["sku"], "quantity": quantity}]).json()
    assert pay(ctx["buyer"], order["id"]).status_code == 200
    return ctx, order


def test_partial_refunds_add_up_to_a_full_refund(shop: Callable[..., dict[str, Any]]) -> None:
    ctx, order = _paid(shop)
    merchant, url = ctx["merchant"], f"/api/orders/{order['id']}/refund"
    first = merchant.post(url, json={"amount": 1200}, headers=key())
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["refunded_amount"]) == ("paid", 1200)
    too_much = merchant.post(url, json={"amount": 3801}, headers=key())
    assert_problem(too_much, 422, "refund_exceeds_paid")
    assert too_much.json()["left"] == 3800
    rest = merchant.post(url, headers=key())  # no amount: all that is left
    assert (rest.json()["status"], rest.json()["refunded_amount"]) == ("refunded", 5000)
    assert_problem(merchant.post(url, json={"amount": 1}, headers=key()), 409)


def test_a_retried_refund_refunds_once(shop: Callable[..., dict[str, Any]]) -> None:
    ctx, order = _paid(shop)
    merchant, url, k = ctx["merchant"], f"/api/orders/{order['id']}/refund", key()
    first = merchant.post(url, json={"amount": 700}, headers=k)
    again = merchant.post(url, json={"amount": 700}, headers=k)
    assert first.json() == again.json()
    assert ctx["buyer"].get(f"/api/orders/{order['id']}").json()["refunded_amount"] == 700
    reused = merchant.post(url, json={"amount": 800}, headers=k)
    assert_problem(reused, 422, "idempotency_key_reused")
    assert_problem(merchant.post(url, json={"amount": 0}, headers=key()), 422)
    assert_problem(ctx["buyer"].post(url, json={"amount": 5}, headers=key()), 403)


def test_the_webhook_for_a_refund_the_api_made_is_not_counted_again(
    client: TestClient, shop: Callable[..., dict[str, Any]]
) -> None:
    ctx, order = _paid(shop)
    url, k = f"/api/orders/{order['id']}/refund", key()
    assert ctx["merchant"].post(url, json={"amount": 1000}, headers=k).status_code == 200
    # the provider reports the same refund (asked again under its reference, it answers the
    # very same result) after the API recorded it
    provider = runtime_of(client.app).services["payments"]
    ref = refund_ref(order["id"], Keyed(ctx["merchant"].user["id"], k["Idempotency-Key"], ""))
    result = client.portal.call(  # type: ignore[union-attr]
        lambda: provider.refund(payment_id="unused on replay", amount=1, idempotency_key=ref)
    )
    assert (result.amount, result.refund_ref) == (1000, ref)
    for evt in events_for(result):
        assert post_event(client, evt).json() == {"duplicate": False}
    after = ctx["buyer"].get(f"/api/orders/{order['id']}").json()
    assert after["refunded_amount"] == 1000
    # a refund made in the provider's dashboard (no reference of ours) counts once, by event id
    dashboard = event("refund.succeeded", order["id"], result.id, 1500)
    post_event(client, dashboard)
    post_event(client, dashboard)
    final = ctx["buyer"].get(f"/api/orders/{order['id']}").json()
    assert (final["status"], final["refunded_amount"]) == ("paid", 2500)
