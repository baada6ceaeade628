"""Headless Chromium against a real server: the live room end to end, and a screenshot tour."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, PHONE, Market, expect, log_in

pytestmark = pytest.mark.browser
Shoot = Callable[..., Path]


def open_room(browser: Any, m: Market, email: str, viewport: dict[str, int] = PHONE) -> Any:
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    path = f"/shows/{m.show['id']}"
    log_in(page, m.base, email, path)
    expect(page.locator("#reconnect")).to_be_hidden()
    page.wait_for_function("document.querySelector('#viewers').textContent !== '0'")
    return page


def test_chat_arrives_and_shopper_buys_pinned_product(
    browser: Any, market: Callable[..., Market], shoot: Shoot
) -> None:
    m = market()
    page = open_room(browser, m, m.shopper_email)
    show_id = m.show["id"]
    other = m.sign_up("olive@example.com", "Olive", ["shopper"])
    other("POST", f"/api/shows/{show_id}/chat", 201, json={"text": "<b>is Ruby</b> in stock?"})
    line = page.locator("#chat .msg", has_text="is Ruby")
    expect(line).to_be_visible()
    expect(line.locator(".who")).to_have_text("Olive")
    assert page.locator("#chat b").count() == 0  # text, never markup

    expect(page.locator("#pinned")).to_contain_text("Velvet Matte Lipstick")
    page.click("#buy-pinned")
    page.click("#sheet label.chip:has-text('Rosewood')")
    page.click("#place-order")
    expect(page.locator("#pay")).to_be_visible()
    expect(page.locator("#card")).to_have_value("4242 4242 4242 4242")
    shoot(page, "room-checkout-phone")
    page.click("#pay")
    expect(page.locator("#paid")).to_contain_text("Paid")
    shoot(page, "room-paid-phone")

    orders = m.shopper("GET", "/api/orders")
    assert [o["status"] for o in orders] == ["paid"]
    assert orders[0]["channel"] == "live" and orders[0]["show_id"] == show_id
    assert orders[0]["lines"][0]["sku_id"] == m.products[0]["skus"][1]["id"]
    # the purchase shows up for everyone as "someone just bought"
    expect(page.locator("#bought")).to_contain_text("just bought")
    assert page.errors == []


def test_host_pins_and_launches_deal_shopper_sees_it_live(
    browser: Any, market: Callable[..., Market], shoot: Shoot
) -> None:
    m = market(pin=False)
    shopper = open_room(browser, m, m.shopper_email)
    expect(shopper.locator("#pinned")).to_be_hidden()
    expect(shopper.locator("#deal")).to_be_hidden()

    studio = browser.new_context(viewport=DESKTOP).new_page()
    log_in(studio, m.base, m.host_email, f"/studio/shows/{m.show['id']}")
    serum = m.products[1]
    studio.click(f"[data-pin='{serum['id']}']")
    expect(studio.locator("[data-unpin]")).to_be_visible()  # page reloaded with the pin
    expect(shopper.locator("#pinned")).to_contain_text("Glow Vitamin C Serum")

    studio.select_option("select[name=sku_id]", str(serum["skus"][0]["id"]))
    studio.fill("input[name=deal_price]", "19.90")
    studio.fill("input[name=quantity]", "12")
    studio.fill("input[name=per_buyer_limit]", "2")
    studio.select_option("select[name=duration_seconds]", "300")
    studio.click("#deal-form button[type=submit]")
    expect(studio.locator("#deals [data-deal]")).to_have_count(1)

    banner = shopper.locator("#deal")
    expect(banner).to_be_visible()
    expect(banner.locator("#deal-left")).to_have_text("12 left")
    expect(banner.locator("#deal-countdown")).to_have_text(re.compile(r"^0[45]:\d\d$"))
    first = banner.locator("#deal-countdown").text_content()
    shopper.wait_for_timeout(1200)
    assert banner.locator("#deal-countdown").text_content() != first  # it counts down
    expect(shopper.locator("#pinned .p-price s")).to_be_visible()  # strike-through original
    expect(shopper.locator("#pinned .tag")).to_contain_text("Flash deal")
    shoot(shopper, "room-deal-phone")
    shoot(studio, "studio-show")

    # a chat message appears in the studio's moderation list and the host can delete it
    m.shopper("POST", f"/api/shows/{m.show['id']}/chat", 201, json={"text": "grab it!"})
    msg = studio.locator("#modlist .msg", has_text="grab it!")
    expect(msg).to_be_visible()
    expect(shopper.locator("#chat .msg", has_text="grab it!")).to_be_visible()
    msg.locator("[data-delete]").click()
    expect(shopper.locator("#chat .msg", has_text="grab it!")).to_have_count(0)
    assert shopper.errors == []


def test_sold_out_shows_at_once(browser: Any, market: Callable[..., Market], shoot: Shoot) -> None:
    m = market()
    shopper = open_room(browser, m, m.shopper_email)
    sku = m.products[0]["skus"][0]
    deal = m.host(
        "POST",
        f"/api/shows/{m.show['id']}/deals",
        201,
        json={"sku_id": sku["id"], "deal_price": 900, "quantity": 1, "per_buyer_limit": 1},
    )
    expect(shopper.locator("#deal-left")).to_have_text("1 left")
    rival = m.sign_up("rita@example.com", "Rita", ["shopper"])
    rival(
        "POST",
        "/api/orders",
        201,
        json={"items": [{"deal_id": deal["id"], "quantity": 1}], "channel": "live"},
        headers={"Idempotency-Key": "rita-1"},
    )
    expect(shopper.locator("#deal-countdown")).to_have_text("Sold out")
    expect(shopper.locator("#buy-pinned")).to_have_text("Sold out")
    expect(shopper.locator("#buy-pinned")).to_be_disabled()
    shoot(shopper, "room-soldout-phone")

    m.host("POST", f"/api/shows/{m.show['id']}/end")
    expect(shopper.locator("#state-ended")).to_be_visible()
    expect(shopper.locator("#live-badge")).to_be_hidden()
    expect(shopper.locator("#pinned")).to_be_hidden()
    expect(shopper.locator("#deal")).to_be_hidden()
    expect(shopper.locator("#chat-input")).to_be_disabled()
    shoot(shopper, "room-ended-phone")


def test_screenshot_tour(browser: Any, market: Callable[..., Market], shoot: Shoot) -> None:
    """Every page renders in a real browser without script errors; screenshots for review."""
    m = market()
    show_id = m.show["id"]
    for text in ("Love this shade!", "How long does it last?", "Just ordered two 🎉"):
        m.shopper("POST", f"/api/shows/{show_id}/chat", 201, json={"text": text})
    m.host("POST", f"/api/shows/{show_id}/chat", 201, json={"text": "Deal drops in one minute!"})
    m.host(
        "POST",
        f"/api/shows/{show_id}/deals",
        201,
        json={"sku_id": m.products[0]["skus"][0]["id"], "deal_price": 990, "quantity": 30},
    )
    upcoming = {
        "title": "Sneaker Sunday: fresh drops",
        "cover_url": "/static/demo/cover-sports.svg",
        "scheduled_start": "2099-01-01T10:00:00Z",
        "product_ids": [m.products[2]["id"]],
    }
    later = m.host("POST", "/api/shows", 201, json=upcoming)
    sku = m.products[1]["skus"][0]["id"]
    m.shopper("POST", "/api/cart/items", 201, json={"sku_id": sku, "quantity": 2})
    order = m.shopper(
        "POST",
        "/api/orders",
        201,
        json={"items": [{"sku_id": m.products[3]["skus"][0]["id"], "quantity": 1}]},
        headers={"Idempotency-Key": "tour-1"},
    )
    m.shopper(
        "POST",
        f"/api/orders/{order['id']}/pay",
        json={"card": "4242424242424242"},
        headers={"Idempotency-Key": "tour-pay-1"},
    )

    phone = browser.new_context(viewport=PHONE).new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    log_in(phone, m.base, m.shopper_email, f"/shows/{show_id}")
    expect(phone.locator("#deal")).to_be_visible()
    for _ in range(6):
        phone.click("#like")
    shoot(phone, "room-phone")
    phone.click("#bag")
    expect(phone.locator("#sheet .lineup-item")).to_have_count(len(m.products))
    shoot(phone, "room-lineup-phone")
    phone.goto(f"{m.base}/shows/{later['id']}")
    expect(phone.locator("#state-scheduled")).to_be_visible()
    shoot(phone, "room-scheduled-phone")
    for path, name in (
        ("/", "home-phone"),
        (f"/products/{m.products[0]['id']}", "product-phone"),
        ("/cart", "cart-phone"),
        ("/orders", "orders-phone"),
    ):
        phone.goto(m.base + path)
        shoot(phone, name, full_page=True)

    desk = browser.new_context(viewport=DESKTOP).new_page()
    desk.on("pageerror", lambda e: errors.append(str(e)))
    log_in(desk, m.base, m.shopper_email, f"/shows/{show_id}")
    expect(desk.locator("#deal")).to_be_visible()
    shoot(desk, "room-desktop")
    desk.goto(m.base + "/")
    shoot(desk, "home-desktop", full_page=True)
    desk.goto(f"{m.base}/products/{m.products[2]['id']}")
    shoot(desk, "product-desktop")

    host = browser.new_context(viewport=DESKTOP).new_page()
    host.on("pageerror", lambda e: errors.append(str(e)))
    log_in(host, m.base, m.host_email, "/studio")
    shoot(host, "studio", full_page=True)
    host.goto(f"{m.base}/studio/shows/{show_id}")
    shoot(host, "studio-show-desktop", full_page=True)

    merchant = browser.new_context(viewport=DESKTOP).new_page()
    merchant.on("pageerror", lambda e: errors.append(str(e)))
    log_in(merchant, m.base, m.merchant_email, "/merchant/products")
    shoot(merchant, "merchant-products", full_page=True)
    merchant.goto(m.base + "/merchant/orders")
    shoot(merchant, "merchant-orders", full_page=True)
    merchant.click(f"[data-ship='{order['id']}']")
    expect(merchant.locator(f"[data-order='{order['id']}'] [data-status]")).to_have_text("shipped")
    assert errors == []
