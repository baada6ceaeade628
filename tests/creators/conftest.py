"""Creators fixtures: a host selling in a live show, and settling the ledger on demand."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.core.config import Settings
from hawker.creators import listeners
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.orders.conftest import buy, key, pay
from tests.orders.conftest import shop as shop  # re-exported fixture


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The background sweep stays out of the way: tests settle when they say so."""
    return settings.model_copy(update={"ledger_sweep_seconds": 3600.0})


@pytest.fixture
def settle(client: TestClient) -> Callable[[], int]:
    """Run one ledger sweep now (the background job does the same every few seconds)."""
    rt = runtime_of(client.app)
    return lambda: client.portal.call(listeners.run_listeners, rt)  # type: ignore[union-attr]


@pytest.fixture
def sell(shop: Callable[..., dict[str, Any]]) -> Callable[..., tuple[dict[str, Any], Any]]:
    """A paid order of ``quantity`` units at ``price``, bought in the host's live show."""

    def make(
        price: int = 1999,
        quantity: int = 3,
        ctx: dict[str, Any] | None = None,
        coupons: tuple[str, ...] = (),
    ) -> Any:
        ctx = ctx or shop(stock=50, price=price)
        buyer: Api = ctx["buyer"]
        order = buy(
            buyer,
            [{"sku_id": ctx["sku"], "quantity": quantity}],
            channel="live",
            show_id=ctx["show"]["id"],
            coupons=list(coupons),
        ).json()
        paid = pay(buyer, order["id"])
        assert paid.status_code == 200, paid.text
        return ctx, paid.json()

    return make


def refund(ctx: dict[str, Any], order_id: int, amount: int | None = None) -> Any:
    body = {} if amount is None else {"amount": amount}
    r = ctx["merchant"].post(f"/api/orders/{order_id}/refund", json=body, headers=key())
    assert r.status_code == 200, r.text
    return r.json()
