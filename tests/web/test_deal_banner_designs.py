"""The room's flash-deal banner is experimentable (``room.deal_banner``): the page renders the
design the shopper's variant names and reports the exposure once the deal is on screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.web.conftest import PASSWORD, PHONE, build_market, expect, log_in, make_operator

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("design", ["classic", "countdown"])
def test_the_banner_design_follows_the_variant(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path], design: str
) -> None:
    server = live_server()
    m = build_market(server.url)
    try:
        make_operator(server.settings, "ops@example.com")
        token = httpx.post(
            f"{server.url}/api/auth/login",
            json={"email": "ops@example.com", "password": PASSWORD},
        ).json()["token"]
        ops = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})
        r = ops.post(
            "/api/experiments",
            json={
                "key": "room.deal_banner",
                "title": "Deal banner design",
                "holdout": False,
                "variants": [  # everyone in the design under test
                    {"key": "classic", "weight": 10_000 if design == "classic" else 0,
                     "value": "classic"},
                    {"key": "countdown", "weight": 0 if design == "classic" else 10_000,
                     "value": "countdown"},
                ],
            },
        )  # fmt: skip
        assert r.status_code == 201, r.text
        assert ops.post("/api/experiments/room.deal_banner/start").status_code == 200

        page = browser.new_context(viewport=PHONE).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.shopper_email, f"/shows/{m.show['id']}")
        expect(page.locator("#reconnect")).to_be_hidden()
        sku = m.products[0]["skus"][0]
        with page.expect_response(lambda x: "/exposure" in x.url) as reported:
            m.host(
                "POST",
                f"/api/shows/{m.show['id']}/deals",
                201,
                json={"sku_id": sku["id"], "deal_price": 900, "quantity": 20,
                      "per_buyer_limit": 2, "duration_seconds": 120},
            )  # fmt: skip
            banner = page.locator("#deal")
            expect(banner).to_be_visible()
        assert reported.value.json() == {"logged": True}
        expect(banner).to_have_class(f"deal-banner deal-{design}")
        expect(banner.locator("#deal-left")).to_have_text("20 left")
        bar = banner.locator("#deal-timebar")
        if design == "countdown":
            expect(bar).to_be_visible()
            expect(banner.locator(".deal-stockbar i")).to_have_attribute("style", "width:100%")
        else:
            expect(bar).to_have_count(0)
        shoot(page, f"room-deal-banner-{design}-phone")

        results = ops.get("/api/experiments/room.deal_banner/results").json()
        assert results["units"] == ([1, 0] if design == "classic" else [0, 1])
        page.reload()  # seen again: still one exposure
        expect(page.locator("#deal")).to_be_visible()
        assert (
            ops.get("/api/experiments/room.deal_banner/results").json()["units"]
            == (results["units"])
        )
        assert errors == []
        ops.close()
    finally:
        m.close()
