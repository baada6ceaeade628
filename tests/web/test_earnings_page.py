"""Money pages in Chromium: a merchant refunds part of an order, the host sees the sale's
commission arrive and the refund's reversal, pays part of it out and sees the statement."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, Market, build_market, expect, log_in

pytestmark = pytest.mark.browser


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
        errors: list[str] = []
        shop = browser.new_context(viewport=DESKTOP).new_page()
        shop.on("pageerror", lambda e: errors.append(str(e)))
        log_in(shop, m.base, m.merchant_email, "/merchant/orders")
        row = shop.locator(f"[data-order='{order['id']}']")
        row.locator("summary", has_text="Refund").click()
        row.locator("input[name=amount]").fill("29")
        row.locator("form[data-refund] button").click()
        expect(row.locator("[data-refunded]")).to_have_text("refunded $29.00")
        expect(row.locator("[data-status]")).to_have_text("paid")  # 100.00 still paid
        shoot(shop, "merchant-orders-refund", full_page=True)

        # 12.90 + 10.00 (the refunded order's commission on its 100.00 left)
        deadline = time.monotonic() + 20
        while m.host("GET", "/api/earnings")["balances"].get("USD") != 2290:
            assert time.monotonic() < deadline, "the sweep never settled the orders"
            time.sleep(0.2)

        page = browser.new_context(viewport=DESKTOP).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.host_email, "/earnings")
        expect(page.locator("[data-balance=USD]")).to_have_text("$22.90")
        expect(page.locator("#statement tbody tr", has_text="Commission")).to_have_count(2)
        page.fill("input[name=amount]", "5")
        page.click("#payout-form button[type=submit]")
        expect(page.locator("#payout-error")).to_contain_text("Payouts start at $10.00")
        page.fill("input[name=amount]", "20.50")
        page.click("#payout-form button[type=submit]")
        expect(page.locator("#payouts tbody tr").first).to_contain_text("$20.50")
        expect(page.locator("#payouts tbody tr").first).to_contain_text("paid")
        expect(page.locator("[data-balance=USD]")).to_have_text("$2.40")
        expect(page.locator("#statement tbody tr", has_text="Payout #")).to_have_count(1)
        shoot(page, "earnings-host", full_page=True)
        assert errors == []
    finally:
        m.close()
