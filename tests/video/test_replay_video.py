"""A real show becomes a shoppable replay: ffmpeg streams a test pattern through nginx (Hawker's
template records it), the host pins two products mid-stream, the encoder stops, and the
replay appears with both moments. In Chromium a shopper taps a moment (the video seeks there
and plays, the moment is highlighted), then buys from the replay."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.conftest import LiveServer
from tests.video import test_live_video
from tests.video.test_live_video import Stack, wait_for
from tests.web.conftest import DESKTOP, PHONE, build_market, log_in

stack = test_live_video.stack  # Hawker + nginx with Hawker's media template (a fixture)


def pin(stack: Stack, product: dict[str, Any]) -> float:
    stack.market.host("POST", f"/api/shows/{stack.show_id}/pin", json={"product_id": product["id"]})
    return time.monotonic()


@pytest.mark.browser
@pytest.mark.slow
def test_a_streamed_show_becomes_a_replay_shoppers_seek_and_buy_from(
    stack: Stack, browser: Any, shoot: Callable[..., Path]
) -> None:
    encoder = stack.publish(stack.key(), seconds=9)
    wait_for(lambda: stack.show()["status"] == "live", "the show to go live")
    live_at = time.monotonic()
    serum, headphones = stack.market.products[1], stack.market.products[2]
    time.sleep(2.0)
    first = pin(stack, serum) - live_at
    time.sleep(3.0)
    second = pin(stack, headphones) - live_at
    encoder.wait(20)  # the clip ends: nginx says publish_done, then record_done
    ended = time.monotonic()
    wait_for(lambda: stack.show()["status"] == "ended", "the show to end")
    url = f"{stack.server.url}/api/shows/{stack.show_id}/replay"
    replay = wait_for(lambda: (r := httpx.get(url)).status_code == 200 and r.json(), "a replay")
    print(f"replay ready {time.monotonic() - ended:.2f} s after the encoder stopped")

    assert 7.0 < replay["duration_s"] < 10.0, replay
    moments = [(m["product_id"], m["offset_s"]) for m in replay["moments"]]
    assert [pid for pid, _ in moments] == [serum["id"], headphones["id"]]
    # the recording starts within a second or so of the show going live (relay, key frame)
    assert abs(moments[0][1] - first) < 1.5 and abs(moments[1][1] - second) < 1.5, (
        moments,
        first,
        second,
    )
    assert not list((stack.server.data_dir / "recordings").glob("*.flv"))  # remuxed, removed

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{stack.server.url}/shows/{stack.show_id}")
        page.wait_for_selector("#replay-link", state="visible")
        log_in(page, stack.server.url, stack.market.shopper_email, f"/shows/{stack.show_id}")
        page.click("#replay-link")
        page.wait_for_url(f"**/shows/{stack.show_id}/replay")
        page.wait_for_function("document.getElementById('video').readyState >= 2")
        cards = page.locator(".moment")
        assert cards.count() == 2
        assert "Glow Vitamin C Serum" in cards.nth(0).inner_text()
        assert f"00:0{int(moments[1][1])}" in cards.nth(1).inner_text()

        cards.nth(1).locator(".seek").click()
        page.wait_for_function(
            f"(v => !v.paused && v.currentTime >= {moments[1][1] - 0.05})"
            "(document.getElementById('video'))",
            timeout=5000,
        )
        at = page.evaluate("document.getElementById('video').currentTime")
        assert at < moments[1][1] + 1.5, (at, moments)  # seeked, not played from the start
        page.wait_for_function(
            "document.querySelectorAll('.moment')[1].getAttribute('aria-current') === 'true'"
        )
        assert cards.nth(0).get_attribute("aria-current") == "false"
        shoot(page, "replay-phone")

        cards.nth(0).locator(".seek").click()  # back to the first moment
        page.wait_for_function(
            "document.querySelectorAll('.moment')[0].getAttribute('aria-current') === 'true'"
        )

        cards.nth(1).locator("[data-buy]").click()
        page.wait_for_selector("#place-order")
        assert "Studio ANC Headphones" in page.inner_text("#sheet")
        page.click("#place-order")
        page.wait_for_selector("#pay")
        page.click("#pay")
        page.wait_for_selector("#paid")
        assert "Paid!" in page.inner_text("#paid")
        shoot(page, "replay-bought")
    finally:
        context.close()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{stack.server.url}/shows/{stack.show_id}/replay")
        page.wait_for_function("document.getElementById('video').readyState >= 2")
        assert page.locator(".side [data-buy]").count() == 2  # the products with moments
        shoot(page, "replay-desktop")
        page.goto(f"{stack.server.url}/")
        card = page.locator(".replay-card")
        assert card.count() == 1 and "Glow-up Friday" in card.inner_text()
        card.scroll_into_view_if_needed()
        shoot(page, "replay-home")
    finally:
        context.close()
    [order] = stack.market.shopper("GET", "/api/orders")
    assert (order["channel"], order["show_id"], order["status"]) == (
        "replay",
        stack.show_id,
        "paid",
    )
    assert order["host_id"] == stack.market.host.user["id"]


@pytest.mark.browser
def test_the_replay_page_waits_for_the_replay(
    browser: Any, live_server: Callable[..., LiveServer], shoot: Callable[..., Path]
) -> None:
    from playwright.sync_api import expect

    m = build_market(live_server().url)
    m.host("POST", f"/api/shows/{m.show['id']}/end")  # ended; its replay is not made yet
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{m.base}/shows/{m.show['id']}/replay")
        expect(page.locator("[role=status]")).to_contain_text("The replay is on its way")
        expect(page.locator(".stage-media img")).to_be_visible()  # the cover, not a black box
        shoot(page, "replay-waiting-phone")
    finally:
        context.close()
        m.close()
