"""Invariant 3: every order moves through one state machine; every illegal move is a 409."""

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from hawker.orders.states import TRANSITIONS
from tests.conftest import Api, assert_problem
from tests.orders.conftest import buy, key, pay

# action -> (who performs it, target state)
ACTIONS = {
    "pay": ("buyer", "paid"),
    "cancel": ("buyer", "cancelled"),
    "ship": ("merchant", "shipped"),
    "deliver": ("merchant", "delivered"),
    "complete": ("buyer", "completed"),
    "refund": ("merchant", "refunded"),
}
# how to bring a fresh pending order into each state
PATHS = {
    "pending": [],
    "paid": ["pay"],
    "shipped": ["pay", "ship"],
    "delivered": ["pay", "ship", "deliver"],
    "completed": ["pay", "ship", "deliver", "complete"],
    "cancelled": ["cancel"],
    "refunded": ["pay", "refund"],
}


def act(ctx: dict[str, Any], order_id: int, action: str) -> Any:
    who: Api = ctx[ACTIONS[action][0]]
    if action == "pay":
        return pay(who, order_id)
    headers = key() if action == "refund" else {}
    return who.post(f"/api/orders/{order_id}/{action}", headers=headers)


def order_in(ctx: dict[str, Any], state: str) -> int:
    order_id: int = buy(ctx["buyer"], [{"sku_id": ctx["sku"], "quantity": 1}]).json()["id"]
    for step in PATHS[state]:
        assert act(ctx, order_id, step).status_code == 200, step
    assert ctx["buyer"].get(f"/api/orders/{order_id}").json()["status"] == state
    return order_id


LEGAL = [(s, a) for s, a in itertools.product(PATHS, ACTIONS) if ACTIONS[a][1] in TRANSITIONS[s]]
ILLEGAL = [(s, a) for s, a in itertools.product(PATHS, ACTIONS) if (s, a) not in LEGAL]


def test_the_table_covers_every_state() -> None:
    assert set(PATHS) == set(TRANSITIONS)
    assert len(ILLEGAL) == len(PATHS) * len(ACTIONS) - len(LEGAL) and len(LEGAL) == 8


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(
    shop: Callable[..., dict[str, Any]], state: str, action: str
) -> None:
    ctx = shop()
    order_id = order_in(ctx, state)
    before = ctx["buyer"].get(f"/api/orders/{order_id}").json()
    counts = ctx["buyer"].get(f"/api/products/{ctx['product']['id']}").json()["skus"]
    body = assert_problem(act(ctx, order_id, action), 409, "illegal_transition")
    assert state in body["detail"] and ACTIONS[action][1] in body["detail"]
    assert ctx["buyer"].get(f"/api/orders/{order_id}").json() == before
    assert ctx["buyer"].get(f"/api/products/{ctx['product']['id']}").json()["skus"] == counts


@pytest.mark.parametrize(("state", "action"), LEGAL)
def test_legal_transition(shop: Callable[..., dict[str, Any]], state: str, action: str) -> None:
    ctx = shop()
    order_id = order_in(ctx, state)
    r = act(ctx, order_id, action)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == ACTIONS[action][1]


def test_only_the_right_party_moves_an_order(
    shop: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = shop()
    order_id = order_in(ctx, "paid")
    other_merchant, stranger = make_user("merchant"), make_user()
    assert_problem(other_merchant.post(f"/api/orders/{order_id}/ship"), 403)
    assert_problem(stranger.post(f"/api/orders/{order_id}/complete"), 404)
    assert_problem(stranger.get(f"/api/orders/{order_id}"), 404)
    assert_problem(ctx["buyer"].post(f"/api/orders/{order_id}/ship"), 403)
    operator = make_user("operator")
    assert operator.post(f"/api/orders/{order_id}/ship").json()["status"] == "shipped"
