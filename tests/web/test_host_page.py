"""A host's public page in Chromium: a shopper sees the bio (as text), categories, tier and
the LIVE badge, follows, and the count goes up; the room links the host's name here and its
Follow button is the same follow."""

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
BIO = "Skincare nerd <script>alert(1)</script>\nLive every Friday with drops & deals."


def profiled_market(server: Any) -> Market:
    """The market's host, live, with a bio, two categories and a tier."""
    m = build_market(server.url)
    make_operator(server.settings, "ops@example.com")
    login = httpx.post(
        f"{m.base}/api/auth/login", json={"email": "ops@example.com", "password": PASSWORD}
    )
    ops = Caller(m.base, login.json()["token"], login.json()["user"])
    m.callers.append(ops)
    ids = [
        ops("POST", "/api/categories", 201, json={"slug": slug, "name": name})["id"]
        for slug, name in (("beauty", "Beauty"), ("skincare", "Skincare"))
    ]
    ops("POST", "/api/tiers", 201, json={"name": "Gold", "rank": 1, "commission_bps": 900})
    ops("POST", "/api/tiers/recompute")
    m.host("PUT", "/api/me/host-profile", json={"bio": BIO, "category_ids": ids})
    later = {"title": "Sunday skincare Q&A", "cover_url": "/static/demo/cover-home.svg",
             "scheduled_start": "2099-01-04T18:00:00Z", "product_ids": []}  # fmt: skip
    m.host("POST", "/api/shows", 201, json=later)
    return m


def test_shopper_follows_a_host_from_the_host_page(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    m = profiled_market(live_server())
    host_id = m.host.user["id"]
    try:
        page = browser.new_context(viewport=PHONE).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.shopper_email, f"/shows/{m.show['id']}")
        shoot(page, "room-host-link")
        page.locator(".host-pill a", has_text="Mia Chen").click()  # the room names the host
        page.wait_for_url(f"{m.base}/hosts/{host_id}")

        hero = page.locator(".host-hero")
        expect(hero.locator("h1")).to_contain_text("Mia Chen")
        expect(hero.locator(".badge-tier")).to_have_text("Gold")
        expect(hero.locator(".badge-live")).to_be_visible()
        expect(page.locator(".host-bio")).to_have_text(BIO)  # shown as text, not markup
        expect(page.locator(".host-cats li")).to_have_text(["Beauty", "Skincare"])
        expect(page.locator(".host-live")).to_contain_text(m.show["title"])
        expect(page.locator(".upcoming")).to_contain_text("Sunday skincare Q&A")
        expect(page.locator("#followers")).to_have_text("0")
        follow = page.locator("#follow")
        expect(follow).to_have_text("Follow")
        follow.click()
        expect(follow).to_have_text("Following")
        expect(page.locator("#followers")).to_have_text("1")
        expect(page.locator(".host-stats")).to_contain_text("1 follower")
        shoot(page, "host-page-phone", full_page=True)

        page.reload()  # the follow is the server's, not the page's
        expect(page.locator("#follow")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#followers")).to_have_text("1")
        page.locator(".host-live").click()
        page.wait_for_url(f"{m.base}/shows/{m.show['id']}")
        room_follow = page.locator("#follow")  # the room knows the follow too
        expect(room_follow).to_have_text("Following")
        assert m.host("GET", f"/api/hosts/{host_id}")["followers"] == 1
        room_follow.click()
        expect(room_follow).to_have_text("Follow")
        assert m.host("GET", f"/api/hosts/{host_id}")["followers"] == 0
        room_follow.click()
        expect(room_follow).to_have_text("Following")
        assert errors == []

        wide = browser.new_context(viewport=DESKTOP).new_page()  # a visitor, on a desktop
        wide.goto(f"{m.base}/hosts/{host_id}")
        expect(wide.locator("#followers")).to_have_text("1")
        shoot(wide, "host-page-desktop", full_page=True)
        wide.locator("#follow").click()
        wide.wait_for_url(f"{m.base}/login?next=%2Fhosts%2F{host_id}")
    finally:
        m.close()


def test_host_edits_the_profile_in_the_studio(
    browser: Any, live_server: Callable[..., Any], shoot: Callable[..., Path]
) -> None:
    m = profiled_market(live_server())
    try:
        page = browser.new_context(viewport=DESKTOP).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, m.base, m.host_email, "/studio")
        page.click("nav >> text=Profile")
        page.wait_for_url(f"{m.base}/studio/profile")
        form = page.locator("#profile-form")
        expect(form.locator("textarea[name=bio]")).to_have_value(BIO)
        form.locator("textarea[name=bio]").fill("Tea tastings on Sundays.")
        form.locator(".chip", has_text="Beauty").click()  # off; Skincare stays
        expect(page.locator("#bio-count")).to_have_text("24 / 500")
        form.locator("button[type=submit]").click()
        expect(page.locator(".toast")).to_have_text("Profile saved")
        shoot(page, "studio-profile", full_page=True)

        page.click("text=View my page")
        page.wait_for_url(f"{m.base}/hosts/{m.host.user['id']}")
        expect(page.locator(".host-bio")).to_have_text("Tea tastings on Sundays.")
        expect(page.locator(".host-cats li")).to_have_text(["Skincare"])
        expect(page.locator(".host-cta a")).to_have_text("Edit profile")  # no Follow for oneself
        assert errors == []
    finally:
        m.close()
