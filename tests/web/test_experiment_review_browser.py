"""The experiment review pages in Chromium: define an experiment through the form (a rejected
weight first), start it, let a lopsided and profitable history arrive, read the results as an
operator does, and record the decision."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from hawker.core.config import Settings
from hawker.core.db import Database
from tests.web.conftest import PHONE, expect, log_in, operator_page
from tests.web.experiment_seed import Seeded, seed_history

pytestmark = pytest.mark.browser
KEY = "home.live_position"


def seed(settings: Settings) -> Seeded:
    """On a thread of its own: Playwright's sync API keeps an event loop on this one."""

    async def write() -> Seeded:
        db = Database(settings.effective_database_url, pool_size=1)
        try:
            async with db.write() as s:
                return await seed_history(
                    s, KEY, units=(400, 300, 300), buy=(0.3, 0.5, 0.3), refund=(0.05,) * 3
                )
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, write()).result()


def test_operator_defines_runs_and_reads_an_experiment(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    server = live_server()
    page, errors = operator_page(browser, server, "/operator/experiments")
    expect(page.locator("#experiments")).to_contain_text("No experiments yet")
    expect(page.locator(".dash-nav a[aria-current=page]")).to_have_text("Experiments")

    form = page.locator("#new-experiment")
    form.get_by_label("Key", exact=True).fill(KEY)
    form.get_by_label("Title").fill("Live now: top, middle or hidden")
    form.get_by_label("Hypothesis").fill("Live in the middle of the page sells more")
    form.get_by_label("Layer", exact=True).fill("home")
    for i, (key, weight) in enumerate((("top", "3334"), ("middle", "3333"), ("hidden", "3000"))):
        form.get_by_label(f"Variant {i + 1} key").fill(key)
        form.get_by_label(f"Variant {i + 1} weight").fill(weight)
        form.get_by_label(f"Variant {i + 1} value").fill(f'"{key}"')
    form.locator("label.chip", has_text="gmv_per_shopper").click()
    form.locator("label.chip", has_text="conversion").click()
    form.get_by_label("Guardrail 1 metric").select_option("refund_rate")
    form.get_by_label("Guardrail 1 threshold").fill("0.1")
    form.get_by_role("button", name="Define as draft").click()
    expect(page.locator("#new-error")).to_contain_text("weights add up to 9667, not 10000")
    form = page.locator("#new-experiment")
    expect(form.get_by_label("Title")).to_have_value("Live now: top, middle or hidden")
    expect(form.get_by_label("Variant 3 key")).to_have_value("hidden")
    shoot(page, "experiment-new-rejected", full_page=True)
    form.get_by_label("Variant 3 weight").fill("3333")
    form.get_by_role("button", name="Define as draft").click()
    expect(page.locator("#done")).to_have_text("Experiment defined as a draft.")
    expect(page.locator("h1 .badge")).to_have_text("draft")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("h1 .badge")).to_have_text("running")

    data = seed(server.settings)
    page.reload()
    banner = page.locator("#srm")
    expect(banner).to_contain_text("Sample ratio mismatch: do not trust these results")
    expect(banner).to_contain_text(f"top: {data.units['top']} seen")
    expect(page.locator("#mixed")).to_have_text("1")
    gmv = page.locator("#metric-gmv_per_shopper")
    expect(gmv.locator("svg.ci-bar")).to_have_count(2)  # one per variant against the control
    expect(gmv.locator("tr[data-arm=middle] svg.ci-bar")).to_have_class("ci-bar tone-good")
    expect(gmv.locator("svg.lift-plot polyline.line")).to_have_count(2)
    expect(gmv.locator("svg.lift-plot")).to_be_visible()
    expect(page.locator("#guardrails")).to_contain_text("refund_rate")
    shoot(page, "experiment-results", full_page=True)

    phone = browser.new_context(viewport=PHONE).new_page()
    phone.on("pageerror", lambda e: errors.append(str(e)))
    log_in(phone, server.url, "ops@example.com", f"/operator/experiments/{KEY}")
    expect(phone.locator("#srm")).to_be_visible()
    shoot(phone, "experiment-results-phone", full_page=True)

    stop = page.locator("#stop-form")
    stop.get_by_label("Ship").select_option("middle")
    stop.get_by_label("Reason").fill(
        "Middle sells more; the split needs fixing before the next one"
    )
    stop.get_by_role("button", name="Stop").click()
    decision = page.locator("#decision")
    expect(decision).to_contain_text("Shipped “middle” to everyone")
    expect(decision).to_contain_text("Ops")
    shoot(page, "experiment-decided")
    page.locator("#audit-link").click()
    expect(page.locator("#audit tbody tr")).to_have_count(3)  # create, start, stop
    assert errors == []
