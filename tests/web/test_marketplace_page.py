"""The marketplace in Chromium: a host finds a product a merchant pays commission on, adds it
to the live show, a shopper buys it there, and the host's earnings show the offer's rate; then
the host shares an affiliate link, a shopper opens it and buys, and the link shows the sale."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, Market, build_market, expect, log_in

pytestmark = pytest.mark.browser


def buy_and_pay(m: Market, sku_id: int, **attribution: Any) -> dict[str, Any]:
    def keyed() -> dict[str, str]:
        return {"Idempotency-Key": uuid.uuid4().hex}

    order = m.shopper(
        "POST",
        "/api/orders",
        201,
        json={"items": [{"sku_id": sku_id, "quantity": 1}], **attribution},
        headers=keyed(),
    )
    card = {"card": "4242 4242 4242 4242"}
    m.shopper("POST", f"/api/orders/{order['id']}/pay", json=card, headers=keyed())
    return order


def wait_for_balance(m: Market, amount: int) -> None:
    deadline = time.monotonic() + 20
    while m.host("GET", "/api/earnings")["balances"].get("USD") != amount:
        assert time.monotonic() < deadline, "the sale's commission never arrived"
        time.sleep(0.2)


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

        buy_and_pay(m, speaker["skus"][0]["id"], show_id=m.show["id"])
        wait_for_balance(m, 2000)
        page.goto(f"{m.base}/earnings")
        expect(page.locator("[data-balance=USD]")).to_have_text("$20.00")

        page.goto(f"{m.base}/studio/marketplace")
        row.locator("button", has_text="Get link").click()
        link = row.get_by_label("Affiliate link")
        expect(link).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/a/[\w-]{12}$"))
        shopper = browser.new_context(viewport=DESKTOP).new_page()
        log_in(shopper, m.base, m.shopper_email, "/")
        shopper.goto(link.input_value())
        expect(shopper.locator("h1")).to_have_text("Travel Speaker")
        order = buy_and_pay(m, speaker["skus"][0]["id"])  # later, from the product page
        (mine,) = m.host("GET", "/api/affiliate-links")
        assert (order["channel"], order["link_id"]) == ("link", mine["id"])
        wait_for_balance(m, 4000)
        page.reload()
        stats = page.locator("#links tbody tr", has_text="Travel Speaker")
        expect(stats.locator("td.num")).to_have_text(["1", "1", "$80.00"])
        shoot(page, "studio-marketplace-links")
        assert errors == []
    finally:
        m.close()
