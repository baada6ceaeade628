"""Operator tier rules in Chromium: add tiers, place hosts, retire one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Market, build_market, expect, operator_page

pytestmark = pytest.mark.browser


def test_operator_defines_tiers_and_places_hosts(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    m: Market = build_market(server.url)
    try:
        page, errors = operator_page(browser, server, "/operator/tiers")
        expect(page.locator("#tiers")).to_contain_text("No tiers yet")
        for name, rank, commission in (("Bronze", "1", "8"), ("Silver", "2", "12.5")):
            page.fill("input[name=name]", name)
            page.fill("input[name=rank]", rank)
            page.fill("input[name=commission]", commission)
            if name == "Silver":
                page.fill("input[name=min_gmv]", "500")
            page.click("#tier-form button")
            expect(page.locator("#tiers tbody tr", has_text=name)).to_be_visible()
        silver = page.locator("#tiers tbody tr", has_text="Silver")
        expect(silver).to_contain_text("$500.00")
        expect(silver).to_contain_text("12.5 %")
        page.fill("input[name=name]", "Again")
        page.fill("input[name=rank]", "2")
        page.click("#tier-form button")
        expect(page.locator("#tier-error")).to_contain_text("already has that name or rank")

        page.click("#recompute")  # the market's host has no sales: Bronze
        bronze = page.locator("#tiers tbody tr", has_text="Bronze")
        expect(bronze.locator("td").nth(6)).to_have_text("1")
        shoot(page, "operator-tiers", full_page=True)
        bronze.locator("button", has_text="Retire").click()
        expect(page.locator("#tiers tbody tr", has_text="Bronze")).to_contain_text("retired")
        assert m.host("GET", f"/api/hosts/{m.host.user['id']}/tier")["tier"] is None
        assert errors == []
    finally:
        m.close()
