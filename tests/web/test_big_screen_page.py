"""The GMV big screen in Chromium follows orders as they are paid: the ticker counts up, the
channel, host and room panels fill, all without a reload; the console's metrics page lists the
day's numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, Market, build_market, expect, log_in, operator_page
from tests.web.test_leaderboard_page import buy_and_pay

pytestmark = pytest.mark.browser
WALL = {"width": 1920, "height": 1080}


def test_big_screen_updates_while_orders_arrive(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    m: Market = build_market(server.url)
    try:
        page, errors = operator_page(browser, server, "/big-screen", viewport=WALL)
        expect(page.locator("#gmv")).to_have_text("$0.00")
        expect(page.locator("#channels")).to_contain_text("Waiting for the first order")
        expect(page.locator("#rooms")).to_contain_text("Glow-up Friday")
        expect(page.locator("#bs-live")).not_to_have_class("bs-live off")
        page.evaluate("window.sameDocument = true")

        headphones, mug = m.products[2]["skus"][0]["id"], m.products[3]["skus"][0]["id"]
        buy_and_pay(m, headphones)  # $129.00
        expect(page.locator("#gmv")).to_have_text("$129.00", timeout=15_000)
        expect(page.locator("#orders")).to_have_text("1")
        for _ in range(6):  # a burst: the screen shows it as one or two frames
            buy_and_pay(m, mug)  # $15.00 each
        expect(page.locator("#gmv")).to_have_text("$219.00", timeout=15_000)
        expect(page.locator("#orders")).to_have_text("7")
        expect(page.locator("#channels li[data-channel=live]")).to_contain_text("$219.00")
        expect(page.locator("#hosts")).to_contain_text("Mia Chen")
        expect(page.locator("#merchants")).to_contain_text("Aurora Beauty")
        expect(page.locator("#rooms")).to_contain_text("$219.00")
        assert float(page.locator("#ops").inner_text()) > 0
        assert page.evaluate("window.sameDocument") is True  # pushed, not reloaded
        shoot(page, "big-screen-wall")
        page.set_viewport_size(DESKTOP)
        shoot(page, "big-screen-laptop")

        page.goto(f"{m.base}/operator/metrics")
        today = page.locator("#metrics tbody tr").first
        expect(today).to_contain_text("$219.00")
        expect(today).to_contain_text("100.0 %")  # all of it sold live
        shoot(page, "operator-metrics")
        assert errors == []
    finally:
        m.close()


def test_big_screen_is_for_operators(browser: Any, live_server: Callable[..., Any]) -> None:
    server = live_server()
    m: Market = build_market(server.url, start=False)
    try:
        page = browser.new_context(viewport=DESKTOP).new_page()
        log_in(page, m.base, m.host_email, "/studio")
        response = page.goto(f"{m.base}/big-screen")
        assert response is not None and response.status == 403
    finally:
        m.close()
