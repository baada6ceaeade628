"""The MCN portal in Chromium: an agency invites a host by e-mail, the host accepts in the
studio, and the agency sees the host on its roster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, Market, build_market, expect, log_in

pytestmark = pytest.mark.browser


def test_mcn_invites_a_host_who_accepts(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    m: Market = build_market(live_server().url)
    try:
        m.sign_up("stars@example.com", "Star Agency", ["mcn"])
        errors: list[str] = []
        agency = browser.new_context(viewport=DESKTOP).new_page()
        agency.on("pageerror", lambda e: errors.append(str(e)))
        log_in(agency, m.base, "stars@example.com", "/mcn")
        expect(agency.locator("#roster")).to_contain_text("No hosts yet")
        agency.fill("input[name=host_email]", "nobody@example.com")
        agency.click("#invite-form button")
        expect(agency.locator("#invite-error")).to_contain_text("no host account")
        agency.fill("input[name=host_email]", m.host_email)
        agency.fill("input[name=share]", "12.5")
        agency.click("#invite-form button")
        expect(agency.locator("#invites tbody tr").first).to_contain_text("Mia Chen")
        expect(agency.locator("#invites tbody tr").first).to_contain_text("pending")

        host = browser.new_context(viewport=DESKTOP).new_page()
        host.on("pageerror", lambda e: errors.append(str(e)))
        log_in(host, m.base, m.host_email, "/studio")
        card = host.locator("[data-invitation]")
        expect(card).to_contain_text("Star Agency invites you")
        expect(card).to_contain_text("12.50 %")
        shoot(host, "studio-invitation")
        card.locator("button", has_text="Accept").click()
        expect(card).to_have_count(0)

        agency.reload()
        row = agency.locator("#roster tbody tr", has_text="Mia Chen")
        expect(row).to_contain_text("12.50 %")
        expect(row).to_contain_text("live")  # her show is on air
        shoot(agency, "mcn-roster", full_page=True)
        assert errors == []
    finally:
        m.close()
