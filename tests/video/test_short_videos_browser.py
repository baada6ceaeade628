"""The short-video feed in Chromium: the visible clip plays, scrolling to the next plays it and
pauses the first, watch time reaches the event log, and Buy on the tagged product places an
order attributed to the clip."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer
from tests.video.lavfi import make_clip
from tests.web.conftest import DESKTOP, PHONE, Caller, Market, build_market, log_in


def post_clip(host: Caller, path: Path, caption: str, product_id: int) -> dict[str, Any]:
    r = host.http.post(
        "/api/videos",
        files={"file": (path.name, path.read_bytes(), "video/mp4")},
        data={"caption": caption, "product_ids": str(product_id)},
    )
    assert r.status_code == 201, r.text
    clip: dict[str, Any] = r.json()
    deadline = time.monotonic() + 30
    while clip["status"] == "processing" and time.monotonic() < deadline:
        time.sleep(0.2)
        clip = host("GET", f"/api/videos/{clip['id']}")
    assert clip["status"] == "ready", clip
    return clip


@pytest.fixture
def clip_market(
    live_server: Callable[..., LiveServer], tmp_path: Path
) -> Iterator[tuple[Market, list[dict[str, Any]], LiveServer]]:
    server = live_server()
    market = build_market(server.url, start=False)
    first = make_clip(tmp_path / "a.mp4", seconds=3, size="270x480", rate=24)
    second = make_clip(tmp_path / "b.mp4", seconds=3, size="270x480", rate=24, pattern="smptebars")
    made = [
        post_clip(
            market.host, first, "Glow routine in 3 steps #skincare #glow", market.products[1]["id"]
        ),
        post_clip(
            market.host, second, "Lip colour of the week #lipstick", market.products[0]["id"]
        ),
    ]
    yield market, made[::-1], server  # the feed is newest first
    market.close()


def current_time(page: Any, index: int) -> float:
    t: float = page.evaluate(f"document.querySelectorAll('.clip video')[{index}].currentTime")
    return t


@pytest.mark.browser
def test_feed_plays_the_visible_clip_and_buys_its_product(
    clip_market: tuple[Market, list[dict[str, Any]], LiveServer],
    browser: Any,
    shoot: Callable[..., Path],
) -> None:
    market, clips, _ = clip_market
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, market.base, market.shopper_email, "/videos")
        page.wait_for_function("document.querySelectorAll('.clip video')[0].currentTime > 0.5")
        assert page.inner_text(".clip >> nth=0 >> .clip-host") == "@Mia Chen"
        host_page = f"/hosts/{market.host.user['id']}"
        assert page.get_attribute(".clip >> nth=0 >> .clip-host", "href") == host_page
        assert page.is_visible(".clip >> nth=0 >> a[href='/videos?tag=lipstick']")
        shoot(page, "short-videos-feed")
        assert page.evaluate("document.querySelectorAll('.clip video')[1].paused")

        page.evaluate("document.querySelectorAll('.clip')[1].scrollIntoView()")
        page.wait_for_function("document.querySelectorAll('.clip video')[1].currentTime > 0.5")
        page.wait_for_function("document.querySelectorAll('.clip video')[0].paused")
        later = current_time(page, 1)
        time.sleep(0.6)
        assert current_time(page, 1) > later  # still advancing
        paused_at = current_time(page, 0)
        time.sleep(0.3)
        assert current_time(page, 0) == paused_at

        page.click(".clip >> nth=1 >> [data-action=buy]")
        page.wait_for_selector("#place-order")
        shoot(page, "short-videos-buy")
        page.click("#place-order")
        page.wait_for_selector("#pay")
        page.click("#pay")
        page.wait_for_selector("#paid")
        orders = market.shopper("GET", "/api/orders")
        assert [(o["channel"], o["video_id"], o["host_id"], o["status"]) for o in orders] == [
            ("video", clips[1]["id"], market.host.user["id"], "paid")
        ]
        assert orders[0]["lines"][0]["product_id"] == clips[1]["products"][0]["id"]
    finally:
        context.close()


@pytest.mark.browser
def test_share_like_comment_and_views(
    clip_market: tuple[Market, list[dict[str, Any]], LiveServer],
    browser: Any,
    shoot: Callable[..., Path],
) -> None:
    market, clips, server = clip_market
    context = browser.new_context(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        log_in(page, market.base, market.shopper_email, f"/videos/{clips[1]['id']}")
        page.wait_for_function("document.querySelectorAll('.clip video')[0].currentTime > 0.5")
        assert page.get_attribute(".clip >> nth=0", "data-id") == str(clips[1]["id"])
        page.click(".clip >> nth=0 >> [data-action=share]")
        page.wait_for_selector(".toast:has-text('Link copied')")
        assert page.evaluate("navigator.clipboard.readText()") == (
            f"{market.base}/videos/{clips[1]['id']}"
        )
        page.click(".clip >> nth=0 >> [data-action=like]")
        page.wait_for_selector(".clip >> nth=0 >> [data-count=likes]:text-is('1')")
        page.click(".clip >> nth=0 >> [data-action=follow]")
        page.wait_for_selector(".clip >> nth=0 >> [data-action=follow]:text-is('Following')")
        page.click(".clip >> nth=0 >> [data-action=comments]")
        page.fill("#comment-text", "<i>so pretty</i>")
        page.press("#comment-text", "Enter")
        page.wait_for_selector("#comment-list .text:text-is('<i>so pretty</i>')")  # escaped
        shoot(page, "short-videos-comments")
        page.keyboard.press("Escape")
        page.goto(f"{market.base}/videos")  # leaving the page reports the view
        page.wait_for_function("document.querySelectorAll('.clip video')[0].currentTime > 0.3")
        clip = market.host("GET", f"/api/videos/{clips[1]['id']}")
        assert (clip["likes"], clip["comments"], clip["host"]["followers"]) == (1, 1, 1)
        sql = "SELECT user_id, value FROM events WHERE type = 'video.view'"
        with ThreadPoolExecutor(1) as pool:  # Playwright's event loop owns this thread
            views = pool.submit(server.query, sql).result()
        assert [v[0] for v in views] == [market.shopper.user["id"]]
        assert 500 <= views[0][1] <= 60_000  # the watch time, in ms
    finally:
        context.close()


@pytest.mark.browser
def test_host_uploads_in_the_studio_and_home_shows_the_row(
    clip_market: tuple[Market, list[dict[str, Any]], LiveServer],
    browser: Any,
    shoot: Callable[..., Path],
    tmp_path: Path,
) -> None:
    market, clips, _ = clip_market
    clip = make_clip(tmp_path / "studio.mp4", seconds=2, size="270x480", pattern="rgbtestsrc")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        log_in(page, market.base, market.host_email, "/studio/videos")
        assert page.locator("#clip-table tbody tr").count() == 2
        page.set_input_files("#clip-file", str(clip))
        page.fill("#clip-caption", "Desk setup tour #desk #wfh")
        page.check(f"input[name=product_ids][value='{market.products[2]['id']}']")
        page.click("#clip-submit")
        row = "#clip-table tbody tr:has-text('Desk setup tour')"
        page.wait_for_selector(row)  # listed at once, as processing
        page.wait_for_selector(f"{row} >> [data-role=status]:text-is('ready')", timeout=30000)
        assert page.locator("#clip-table tbody tr >> nth=0").inner_text().startswith("\tDesk")
        assert "Tagged: Studio ANC Headphones" in page.inner_text(row)
        shoot(page, "short-videos-studio")

        notes = tmp_path / "notes.txt"
        notes.write_text("just words")
        page.set_input_files("#clip-file", str(notes))
        page.click("#clip-submit")
        page.wait_for_selector("#clip-errors:has-text('not a video')")

        page.goto(market.base + "/")
        tiles = page.locator(".clip-tile")
        assert tiles.count() == 3
        page.locator("[data-source=videos] h2").scroll_into_view_if_needed()
        shoot(page, "short-videos-home")
        tiles.nth(2).click()
        page.wait_for_url(f"{market.base}/videos/{clips[1]['id']}")
    finally:
        context.close()
