"""The operator console in Chromium: find a shopper, make them a merchant, and read the change
in the audit log with who made it and what it was before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Market, build_market, expect, operator_page

pytestmark = pytest.mark.browser


def test_operator_grants_a_role_and_finds_it_in_the_audit_log(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    m: Market = build_market(server.url, start=False, pin=False)
    try:
        page, errors = operator_page(browser, server, "/operator")
        expect(page.locator("#recent")).to_contain_text("Nothing audited yet")
        page.get_by_label("Email, name or id").fill(m.shopper_email)
        page.get_by_role("button", name="Search").click()
        row = page.locator("#users tbody tr")
        expect(row).to_have_count(1)
        row.get_by_label("merchant").check()
        row.get_by_role("button", name="Save roles").click()
        expect(page.locator(".toast")).to_contain_text("merchant, shopper")
        assert "merchant" in m.shopper("GET", "/api/me")["roles"]

        page.reload()
        expect(page.locator("#recent")).to_contain_text("user.roles")
        shoot(page, "operator-console", full_page=True)
        page.goto(f"{m.base}/operator/audit?action=user.")
        entry = page.locator("#audit tbody tr")
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text("Ops")
        expect(entry.locator("del")).to_have_text("shopper")
        expect(entry.locator("ins")).to_have_text("merchant, shopper")
        shoot(page, "operator-audit", full_page=True)
        page.goto(f"{m.base}/operator/audit?action=tier.")
        expect(page.locator("#audit")).to_contain_text("Nothing audited yet")
        assert errors == []
    finally:
        m.close()
