"""The earnings page in Chromium: a host sees a sale's commission arrive, pays part of it out
and sees the payout and the statement."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, Market, build_market, log_in

pytestmark = pytest.mark.browser


def expect(page: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(page)


def test_host_sees_commission_and_pays_out(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server(HAWKER_LEDGER_SWEEP_SECONDS="0.3")
    m: Market = build_market(server.url)
    try:
        headphones = m.products[2]["skus"][0]["id"]  # 129.00 -> 12.90 commission
        for _ in range(2):
            order = m.shopper(
                "POST",
                "/api/orders",
                201,
                json={"items": [{"sku_id": headphones, "quantity": 1}], "show_id": m.show["id"]},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            m.shopper(
                "POST",
                f"/api/orders/{order['id']}/pay",
                json={"card": "4242 4242 4242 4242"},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
        deadline = time.monotonic() + 20
        while m.host("GET", "/api/earnings")["balances"].get("USD") != 2580:
            assert time.monotonic() < deadline, "the sweep never settled the orders"
            time.sleep(0.2)

        page = browser.new_context(viewport=DESKTOP).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.host_email, "/earnings")
        expect(page.locator("[data-balance=USD]")).to_have_text("$25.80")
        expect(page.locator("#statement tbody tr", has_text="Commission")).to_have_count(2)
        page.fill("input[name=amount]", "5")
        page.click("#payout-form button[type=submit]")
        expect(page.locator("#payout-error")).to_contain_text("Payouts start at")
        page.fill("input[name=amount]", "20.50")
        page.click("#payout-form button[type=submit]")
        expect(page.locator("#payouts tbody tr").first).to_contain_text("$20.50")
        expect(page.locator("#payouts tbody tr").first).to_contain_text("paid")
        expect(page.locator("[data-balance=USD]")).to_have_text("$5.30")
        expect(page.locator("#statement tbody tr", has_text="Payout #")).to_have_count(1)
        shoot(page, "earnings-host", full_page=True)
        assert errors == []
    finally:
        m.close()
