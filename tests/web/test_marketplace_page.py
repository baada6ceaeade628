"""The marketplace in Chromium: a host finds a product a merchant pays commission on, adds it
to the live show, a shopper buys it there, and the host's earnings show the offer's rate."""

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


def test_host_adds_an_offered_product_and_earns_its_commission(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server(HAWKER_LEDGER_SWEEP_SECONDS="0.3")
    m: Market = build_market(server.url)
    try:
        speaker = m.merchant(
            "POST",
            "/api/products",
            201,
            json={
                "title": "Travel Speaker",
                "image_url": "/static/demo/headphones.svg",
                "skus": [{"name": "Blue", "price": 8000, "currency": "USD", "stock": 10}],
            },
        )
        m.merchant("POST", "/api/offers", 201, json={"product_id": speaker["id"], "rate_bps": 2500})

        errors: list[str] = []
        page = browser.new_context(viewport=DESKTOP).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.host_email, "/studio/marketplace")
        row = page.locator("#market tbody tr", has_text="Travel Speaker")
        expect(row).to_contain_text("25 %")
        expect(row).to_contain_text("$20.00 a sale")
        shoot(page, "studio-marketplace")
        row.locator("button", has_text="Add").click()
        expect(page.locator(".toast")).to_contain_text("Added to Glow-up Friday")
        lineup = m.host("GET", f"/api/shows/{m.show['id']}")["lineup"]
        assert speaker["id"] in [p["id"] for p in lineup]

        order = m.shopper(
            "POST",
            "/api/orders",
            201,
            json={
                "items": [{"sku_id": speaker["skus"][0]["id"], "quantity": 1}],
                "show_id": m.show["id"],
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        m.shopper(
            "POST",
            f"/api/orders/{order['id']}/pay",
            json={"card": "4242 4242 4242 4242"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        deadline = time.monotonic() + 20
        while m.host("GET", "/api/earnings")["balances"].get("USD") != 2000:
            assert time.monotonic() < deadline, "the sale's commission never arrived"
            time.sleep(0.2)
        page.goto(f"{m.base}/earnings")
        expect(page.locator("[data-balance=USD]")).to_have_text("$20.00")
        assert errors == []
    finally:
        m.close()
