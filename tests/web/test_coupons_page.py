"""Coupons in Chromium: an operator issues a platform coupon and a merchant one of its own on
their pages; a shopper applies both in the cart, sees the savings before checking out, and
pays the discounted total; the operator's list then shows the use and the audit has it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, PHONE, Market, build_market, expect, log_in, operator_page

pytestmark = pytest.mark.browser


def issue(page: Any, code: str, **fields: str) -> None:
    page.fill("#coupon-form input[name=code]", code)
    for name, value in fields.items():
        page.fill(f"#coupon-form input[name={name}]", value)
    page.click("#coupon-form button[type=submit]")
    expect(page.locator("#coupons tbody tr", has_text=code)).to_be_visible()


def test_coupons_from_issue_to_a_discounted_checkout(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    m: Market = build_market(server.url)
    try:
        ops, errors = operator_page(browser, server, "/operator/coupons")
        expect(ops.locator("#coupons")).to_contain_text("No coupons yet")
        issue(
            ops,
            "festival10",
            title="Festival 10 % off",
            percent="10",
            total_limit="100",
            per_user_limit="2",
        )
        row = ops.locator("#coupons tbody tr", has_text="FESTIVAL10")
        expect(row).to_contain_text("10 % off")
        expect(row.locator("[data-uses]")).to_have_text("0 / 100")
        ops.fill("#coupon-form input[name=code]", "BAD")
        ops.fill("#coupon-form input[name=percent]", "10")
        ops.fill("#coupon-form input[name=amount]", "5")
        ops.click("#coupon-form button[type=submit]")
        expect(ops.locator("#coupon-error")).to_contain_text("exactly one of percent_bps")
        shoot(ops, "operator-coupons", full_page=True)

        shop = browser.new_context(viewport=DESKTOP).new_page()
        shop.on("pageerror", lambda e: errors.append(str(e)))
        log_in(shop, m.base, m.merchant_email, "/merchant/coupons")
        issue(shop, "AURORA5", amount="5", min_spend="20")
        expect(shop.locator("#coupons tbody tr", has_text="AURORA5")).to_contain_text("$5.00 off")
        shoot(shop, "merchant-coupons", full_page=True)

        lipstick, headphones = m.products[0]["skus"][0], m.products[2]["skus"][0]
        for sku in (lipstick, headphones):  # $19 + $129
            m.shopper("POST", "/api/cart/items", 201, json={"sku_id": sku["id"]})
        page = browser.new_context(viewport=PHONE).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.shopper_email, "/cart")
        page.fill("#coupon-code", "nope1")
        page.click("#coupon-form button")
        expect(page.locator("#coupon-error")).to_contain_text("there is no coupon NOPE1")
        for code in ("festival10", "AURORA5"):
            page.fill("#coupon-code", code)
            page.click("#coupon-form button")
            expect(page.locator("#coupons-applied")).to_contain_text(code.upper())
        # the merchant's $5 first (14,800 -> 14,300), then 10 % of that (1,430): 12,870
        expect(page.locator("[data-discount-row=USD] [data-discount]")).to_have_text("\u2212$19.30")
        expect(page.locator("[data-total-row=USD] [data-total]")).to_have_text("$128.70")
        expect(page.locator("[data-total-row=USD] [data-was]")).to_have_text("$148.00")
        shoot(page, "cart-coupons", full_page=True)
        page.click("#checkout")
        page.wait_for_url("**/checkout?orders=*")
        order = page.locator("[data-order]")
        expect(order.locator("[data-discount]")).to_have_text("Coupon \u2212$19.30")
        expect(order.locator("[data-pay]")).to_have_text("Pay $128.70")
        shoot(page, "checkout-coupons", full_page=True)
        order.locator("[data-pay]").click()
        expect(order).to_contain_text("✓ Paid")

        shop.goto(f"{m.base}/merchant/orders")  # the platform pays its part of the discount
        expect(shop.locator("[data-discount]")).to_have_text(
            "coupons \u2212$19.30 · platform pays $14.30"
        )
        shoot(shop, "merchant-orders-coupons")
        page.goto(f"{m.base}/shows/{m.show['id']}")  # in the live room's checkout sheet too
        page.click("#buy-pinned")  # the lipstick, $19
        page.fill("#coupon", "festival10")
        shoot(page, "room-buy-coupon-phone")
        page.click("#place-order")
        expect(page.locator("#saving")).to_have_text("\u2212$1.90")
        expect(page.locator("#pay")).to_have_text("Pay $17.10")
        shoot(page, "room-checkout-coupon-phone")
        page.click("#pay")
        expect(page.locator("#paid")).to_contain_text("Paid")

        ops.reload()
        expect(row.locator("[data-uses]")).to_have_text("2 / 100")
        sql = "SELECT action FROM audit_log WHERE target_type = 'coupon'"
        with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
            actions = pool.submit(server.query, sql).result()
        assert [a for (a,) in actions] == ["coupon.create"]
        assert errors == []
    finally:
        m.close()
