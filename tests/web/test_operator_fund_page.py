"""Operator creator fund page in Chromium: set a pool, and once the period is paid out see
each host's qualified watch time, share and payout; the host sees the credit in earnings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hawker.analytics.models import Event
from hawker.core.clock import utcnow
from hawker.core.config import Settings
from hawker.core.db import Database
from hawker.creators import fund
from tests.web.conftest import DESKTOP, Market, build_market, expect, log_in, operator_page

pytestmark = pytest.mark.browser


def watch_and_settle(
    settings: Settings, views: list[tuple[int, int, int]], at: datetime, end: datetime
) -> None:
    """Write ``(viewer, host, ms)`` views as the short-video feed does, then pay the period
    out as the hourly job would once it has ended (on a thread: Playwright holds this loop)."""

    async def run() -> None:
        db = Database(settings.effective_database_url, pool_size=1)
        try:
            async with db.write() as s:
                for n, (viewer, host, ms) in enumerate(views):
                    data = {"video_id": host * 100 + n, "host_id": host, "duration_ms": 60_000}
                    s.add(Event(type="video.view", at=at, user_id=viewer, value=ms, data=data))
            async with db.write() as s:
                (period_id,) = [p.id for p in await fund.list_periods(s)]
                rules = fund.Rules.of(settings)
                assert await fund.do_settle_period(s, period_id, rules, end) is not None
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def test_operator_sets_a_pool_and_sees_the_payouts(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    m: Market = build_market(server.url, start=False)
    try:
        leo = m.sign_up("leo@example.com", "Leo Park", ["host"])
        fan = m.sign_up("fan@example.com", "Fan", ["shopper"])
        page, errors = operator_page(browser, server, "/operator/fund")
        expect(page.locator("#periods")).to_contain_text("No periods yet")

        start = utcnow().replace(second=0, microsecond=0) - timedelta(hours=2)
        end = start + timedelta(hours=3)
        page.fill("input[name=pool]", "50")
        page.fill("input[name=starts_at]", start.isoformat(timespec="minutes"))
        page.fill("input[name=ends_at]", end.isoformat(timespec="minutes"))
        page.click("#period-form button")
        row = page.locator("#periods tbody tr").first
        expect(row).to_contain_text("$50.00")
        expect(row).to_contain_text("running")

        page.fill("input[name=pool]", "abc")
        page.click("#period-form button")
        expect(page.locator("#period-error")).to_contain_text("Type a pool like")
        page.fill("input[name=pool]", "10")
        page.click("#period-form button")  # the same times again: overlaps
        expect(page.locator("#period-error")).to_contain_text("already covers part of that time")
        page.click("#settle")  # the period has not ended: nothing to pay yet
        expect(page.locator(".toast")).to_contain_text("No ended period is waiting")

        mia_id, leo_id = m.host.user["id"], leo.user["id"]
        sam_id, fan_id = m.shopper.user["id"], fan.user["id"]
        views = [(sam_id, mia_id, 40_000), (fan_id, mia_id, 20_000), (sam_id, leo_id, 30_000)]
        views += [(mia_id, mia_id, 60_000), (fan_id, leo_id, 1_000)]  # self view, too short
        watch_and_settle(server.settings, views, start + timedelta(minutes=30), end)
        page.reload()
        expect(row).to_contain_text("settled")
        expect(row).to_contain_text("1m 30s")
        shares = page.locator("section table[id^=shares-]")
        expect(shares.locator("tbody tr")).to_have_count(2)
        mia = shares.locator("tr", has_text="Mia Chen")
        expect(mia).to_contain_text("1m 00s")
        expect(mia).to_contain_text("66.7 %")
        expect(mia).to_contain_text("$33.33")
        expect(shares.locator("tr", has_text="Leo Park")).to_contain_text("$16.67")
        shoot(page, "operator-fund", full_page=True)
        assert errors == []

        host_page = browser.new_context(viewport=DESKTOP).new_page()
        log_in(host_page, m.base, m.host_email, "/earnings")
        expect(host_page.locator("#statement")).to_contain_text("Creator fund · period #")
        expect(host_page.locator("[data-balance=USD]")).to_have_text("$33.33")
        shoot(host_page, "earnings-creator-fund", full_page=True)
    finally:
        m.close()
