"""Campaign pages in Chromium: an operator creates a festival, a merchant applies on the
countdown landing page, the operator approves and imports the day's shows from CSV (the
calendar shows them, a clashing file is refused row by row), and the landing page's GMV
climbs as orders are paid, without a reload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hawker.core.clock import utcnow
from tests.web.conftest import PHONE, Market, build_market, expect, log_in, operator_page

pytestmark = pytest.mark.browser


def test_festival_from_creation_to_gmv(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    m: Market = build_market(server.url, start=False)
    try:
        ops, errors = operator_page(browser, server, "/operator/campaigns")
        expect(ops.locator("#campaigns")).to_contain_text("No campaigns yet")
        now = utcnow().replace(second=0, microsecond=0)
        ops.fill("input[name=name]", "Glow Festival")
        ops.fill("input[name=slug]", "glow-fest")
        ops.fill("input[name=starts_at]", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        ops.fill(
            "input[name=ends_at]", (now + timedelta(days=1, hours=3)).strftime("%Y-%m-%dT%H:%M")
        )
        ops.fill("textarea[name=rules]", "Deal prices at least 10 % off.")
        ops.click("#campaign-form button")
        ops.wait_for_url("**/operator/campaigns/*")
        console_url = ops.url

        # the merchant applies with a product at a deal price on the landing page
        shop = browser.new_context(viewport=PHONE).new_page()
        shop.on("pageerror", lambda e: errors.append(str(e)))
        log_in(shop, m.base, m.merchant_email, "/campaigns/glow-fest")
        expect(shop.locator("#phase")).to_have_text("Ends in")
        expect(shop.locator(".cd-n[data-unit=days]")).to_have_text("01")
        serum = m.products[1]
        shop.check(f"input[name=product][value='{serum['id']}']")
        shop.fill(f"input[name=deal-{serum['id']}]", "40")  # not below $34.00
        shop.click("#apply-products button")
        expect(shop.locator("#apply-error")).to_contain_text("must be below its lowest price")
        shop.fill(f"input[name=deal-{serum['id']}]", "27.50")
        shop.click("#apply-products button")
        expect(shop.locator(f"input[name=product][value='{serum['id']}']")).to_have_count(0)

        # the operator approves it and imports the day's shows
        ops.goto(console_url)
        row = ops.locator("#queue tr", has_text=serum["title"])
        expect(row).to_contain_text("deal $27.50")
        row.locator("button", has_text="Approve").click()
        expect(ops.locator("#queue-h")).to_have_text("To decide (0)")
        start = now + timedelta(hours=2)
        clash = start + timedelta(minutes=30)
        header = "host_email,title,start,duration_minutes,product_ids\n"
        good = header + (
            f"{m.host_email},Gala night,{start:%Y-%m-%dT%H:%M}Z,60,{serum['id']}\n"
            f"{m.host_email},After party,{start + timedelta(hours=1):%Y-%m-%dT%H:%M}Z,45,\n"
        )
        bad = good + f"{m.host_email},Double booked,{clash:%Y-%m-%dT%H:%M}Z,30,\n"

        def upload(text: str) -> None:
            ops.set_input_files(
                "input[name=file]",
                files=[{"name": "day.csv", "mimeType": "text/csv", "buffer": text.encode()}],
            )
            ops.click("#import-form button")

        upload(bad)
        expect(ops.locator("#import-error")).to_contain_text(
            "Row 4: overlaps row 2 for the same host"
        )
        upload(good)
        expect(ops.locator(".toast")).to_have_text("2 shows imported")
        ops.goto(f"{console_url}?day={start.date().isoformat()}")
        gala = ops.locator("#calendar .cal-slot", has_text="Gala night")
        expect(gala).to_contain_text(f"{start:%H:%M}")
        expect(ops.locator("#calendar .cal-row").nth(start.hour)).to_contain_text("Gala night")
        ops.locator("#calendar [data-feature]").first.click()
        expect(ops.locator("#calendar .cal-slot.cal-featured")).to_have_count(1)
        shoot(ops, "campaign-console", full_page=True)

        # orders of the approved product raise the landing page's GMV without a reload
        shop.goto(f"{m.base}/campaigns/glow-fest")
        expect(shop.locator("#fest-gmv")).to_have_text("$0.00")
        sku = serum["skus"][0]["id"]
        order = m.shopper(
            "POST",
            "/api/orders",
            201,
            json={"items": [{"sku_id": sku, "quantity": 2}]},
            headers={"Idempotency-Key": "fest-1"},
        )
        m.shopper(
            "POST",
            f"/api/orders/{order['id']}/pay",
            json={"card": "4242424242424242"},
            headers={"Idempotency-Key": "fest-pay-1"},
        )
        # two serums at the festival deal price (27.50), not the regular 34.00
        expect(shop.locator("#fest-gmv")).to_have_text("$55.00", timeout=15_000)
        expect(shop.locator("#fest-orders")).to_have_text("1 order")
        expect(shop.locator(".fest-schedule")).to_contain_text("Gala night")
        card = shop.locator(".product-card", has_text=serum["title"])
        expect(card).to_contain_text("Glow Festival")
        expect(card.locator(".pc-price")).to_have_text("$27.50 $34.00")  # deal, regular struck
        shoot(shop, "campaign-landing", full_page=True)

        # participation badges on the product page and in the room
        shop.goto(f"{m.base}/products/{serum['id']}")
        badge = shop.locator(".product-info .fest-badge")
        expect(badge).to_have_text("Glow Festival")
        shoot(shop, "campaign-product-badge")
        gala_id = int(gala.get_attribute("href").rsplit("/", 1)[1])
        shop.goto(f"{m.base}/shows/{gala_id}")
        expect(shop.locator(".stage-badges .fest-badge")).to_have_text("Glow Festival")
        shoot(shop, "campaign-room-badge")
        shop.goto(f"{m.base}/shows/{m.show['id']}")  # not in the festival
        expect(shop.locator(".stage-badges")).to_be_visible()
        expect(shop.locator(".stage-badges .fest-badge")).to_have_count(0)
        ops.goto(f"{m.base}/operator/campaigns")
        expect(ops.locator("#campaigns tbody tr", has_text="Glow Festival")).to_contain_text(
            "running"
        )
        shoot(ops, "campaign-list")
        assert errors == []
    finally:
        m.close()
