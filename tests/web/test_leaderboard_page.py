"""The leaderboard page in Chromium moves while a show sells: the server pushes a change
(Server-Sent Events) and the page refetches, without reloading."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PHONE, Market, build_market, expect

pytestmark = pytest.mark.browser


def buy_and_pay(m: Market, sku_id: int) -> None:
    order = m.shopper(
        "POST",
        "/api/orders",
        201,
        json={"items": [{"sku_id": sku_id, "quantity": 1}], "show_id": m.show["id"]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    m.shopper(
        "POST",
        f"/api/orders/{order['id']}/pay",
        json={"card": "4242 4242 4242 4242"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )


def test_leaderboard_updates_during_a_show(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server(HAWKER_LEDGER_SWEEP_SECONDS="0.3")
    m: Market = build_market(server.url)
    try:
        page = browser.new_context(viewport=PHONE).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{m.base}/leaderboards")
        expect(page.locator("#board-empty")).to_be_visible()
        expect(page.locator("#lb-live")).not_to_have_class("lb-live off")
        page.evaluate("window.sameDocument = true")

        headphones = m.products[2]["skus"][0]["id"]  # $129.00
        buy_and_pay(m, headphones)
        row = page.locator(".lb-row", has_text="Mia Chen")
        expect(row.locator(".lb-gmv")).to_have_text("$129.00", timeout=15_000)
        buy_and_pay(m, headphones)
        expect(row.locator(".lb-gmv")).to_have_text("$258.00", timeout=15_000)
        expect(row.locator(".lb-orders")).to_have_text("2 orders")
        host_page = f"/hosts/{m.host.user['id']}"
        expect(row.locator(".lb-name a")).to_have_attribute("href", host_page)  # redrawn rows
        assert page.evaluate("window.sameDocument") is True  # pushed, not reloaded
        shoot(page, "leaderboard-phone")
        page.click("a.tab:has-text('Merchants')")
        expect(page.locator(".lb-row", has_text="Aurora Beauty")).to_contain_text("$258.00")
        assert errors == []
    finally:
        m.close()
