"""Operator front-page console in Chromium: "live now" moves to the middle of the front page
in one change, and after publishing a shopper's home page shows it there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.web.conftest import (
    DESKTOP,
    PASSWORD,
    PHONE,
    Caller,
    Market,
    build_market,
    expect,
    log_in,
    make_operator,
)

pytestmark = pytest.mark.browser
LAYOUT = [
    {"title": "Live now", "source": "live"},
    {"title": "Coming up", "source": "upcoming"},
    {"title": "Shop the shows", "source": "products"},
]


def headings(page: Any) -> list[str]:
    return [h.strip() for h in page.locator(".front-section h2").all_inner_texts()]


def test_operator_moves_live_now_to_the_middle(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    m: Market = build_market(server.url)
    try:
        m.host(
            "POST",
            "/api/shows",
            201,
            json={
                "title": "Sunday sneaker drop",
                "cover_url": "/static/demo/cover-sports.svg",
                "scheduled_start": "2099-01-01T10:00:00Z",
            },
        )
        make_operator(server.settings, "ops@example.com")
        login = httpx.post(
            m.base + "/api/auth/login",
            json={"email": "ops@example.com", "password": PASSWORD},
            timeout=10,
        )
        ops = Caller(m.base, login.json()["token"], login.json()["user"])
        m.callers.append(ops)
        ops("PUT", "/api/front-page/draft", json={"sections": LAYOUT})
        ops("POST", "/api/front-page/publish", 201, json={"note": "launch"})

        errors: list[str] = []
        shopper = browser.new_context(viewport=PHONE).new_page()
        shopper.on("pageerror", lambda e: errors.append(str(e)))
        log_in(shopper, m.base, m.shopper_email, "/")
        assert headings(shopper) == ["Live now", "Coming up", "Shop the shows"]

        console = browser.new_context(viewport=DESKTOP).new_page()
        console.on("pageerror", lambda e: errors.append(str(e)))
        log_in(console, m.base, "ops@example.com", "/operator/front-page")
        console.locator("#draft tr", has_text="Live now").get_by_role(
            "button", name="Move Live now to the middle"
        ).click()
        expect(console.locator("#draft tbody tr").nth(1)).to_contain_text("Live now")
        console.fill("#publish-note", "Live commerce in the middle")
        console.click("#publish")
        expect(console.locator("#versions tbody tr").first).to_contain_text(
            "Live commerce in the middle"
        )
        expect(console.locator(".dash-head")).to_contain_text("Shoppers see version 2")
        console.locator("#metrics").scroll_into_view_if_needed()
        shoot(console, "operator-front-page", full_page=True)

        shopper.reload()
        assert headings(shopper) == ["Coming up", "Live now", "Shop the shows"]
        live = shopper.locator(".front-section", has_text="Live now")
        expect(live.locator(".live-card")).to_have_count(1)
        live.scroll_into_view_if_needed()
        shoot(shopper, "home-live-in-the-middle", full_page=True)

        console.goto(f"{m.base}/operator/front-page/preview?as_user={m.shopper.user['id']}")
        expect(console.locator(".preview-bar")).to_contain_text("Preview of the draft as shopper")
        assert headings(console) == ["Coming up", "Live now", "Shop the shows"]
        shoot(console, "operator-front-page-preview", full_page=True)

        live.locator(".live-card").click()  # the click is counted for its section
        shopper.wait_for_url(f"{m.base}/shows/{m.show['id']}")
        metrics = {x["title"]: x for x in ops("GET", "/api/front-page/metrics")}
        assert metrics["Live now"]["clicks"] == 1 and metrics["Live now"]["shoppers"] == 1
        assert errors == []
    finally:
        m.close()
