"""Notifications in Chromium: a follower browsing the shop is told, without reloading, that a
followed host went live; the bell counts it and the notifications page lists it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PHONE, Market, build_market, expect, log_in

pytestmark = pytest.mark.browser


def test_follower_hears_a_host_go_live(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server(HAWKER_LEDGER_SWEEP_SECONDS="0.3")
    m: Market = build_market(server.url, start=False)
    try:
        m.shopper("POST", f"/api/hosts/{m.host.user['id']}/follow")
        page = browser.new_context(viewport=PHONE).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.shopper_email, "/")
        page.evaluate("window.sameDocument = true")
        page.wait_for_timeout(1500)  # the stream is open before the host goes live

        m.host("POST", f"/api/shows/{m.show['id']}/start")
        toast = page.locator(".toast-link", has_text="Mia Chen is live")
        expect(toast).to_be_visible(timeout=15_000)
        expect(page.locator("#bell-count")).to_be_visible()
        assert page.evaluate("window.sameDocument") is True
        shoot(page, "notification-toast-phone")

        page.click("#bell")
        item = page.locator(".notif", has_text="Mia Chen is live")
        expect(item.locator(".badge-live")).to_be_visible()
        expect(page.locator("#bell-count")).to_be_hidden()  # opening the list reads them
        shoot(page, "notifications-phone", full_page=True)
        item.locator("a").click()
        page.wait_for_url(f"{m.base}/shows/{m.show['id']}")
        assert errors == []
    finally:
        m.close()
