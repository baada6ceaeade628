"""Web fixtures: a seeded marketplace over the JSON API and headless Chromium via Playwright.

Browser tests skip (saying why) when Debian's Chromium is missing, except under ``CI=true``,
where a missing browser is a failure: CI must never silently skip them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).parent / "screenshots"
SHOTS_COPY = Path("/tmp/hawker-shots")
PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 860}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under tests/web/screenshots/ and /tmp/hawker-shots/."""

    def save(page: Any, name: str, full_page: bool = False) -> Path:
        SHOTS.mkdir(exist_ok=True)
        SHOTS_COPY.mkdir(exist_ok=True)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        shutil.copy(path, SHOTS_COPY / path.name)
        return path

    return save


class Caller:
    """A JSON API caller with one bearer token against a live server."""

    def __init__(self, base: str, token: str, user: dict[str, Any]) -> None:
        self.base, self.user = base, user
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def __call__(self, method: str, url: str, ok: int = 200, **kw: Any) -> Any:
        r = self.http.request(method, url, **kw)
        assert r.status_code == ok, f"{method} {url} -> {r.status_code} {r.text}"
        return r.json() if r.content else None


@dataclass
class Market:
    """A live show with a line-up, a host, a merchant and a shopper, all made via the API."""

    base: str
    host: Caller
    merchant: Caller
    shopper: Caller
    shopper_email: str
    host_email: str
    merchant_email: str
    show: dict[str, Any]
    products: list[dict[str, Any]] = field(default_factory=list)
    callers: list[Caller] = field(default_factory=list)

    def sign_up(self, email: str, name: str, roles: list[str]) -> Caller:
        r = httpx.post(
            self.base + "/api/auth/signup",
            json={"email": email, "password": PASSWORD, "display_name": name, "roles": roles},
            timeout=10,
        )
        assert r.status_code == 201, r.text
        caller = Caller(self.base, r.json()["token"], r.json()["user"])
        self.callers.append(caller)
        return caller

    def close(self) -> None:
        for c in self.callers:
            c.http.close()


CATALOGUE = [
    ("Velvet Matte Lipstick", "lipstick", [("Ruby", 1900, 40), ("Rosewood", 1900, 30)]),
    ("Glow Vitamin C Serum", "serum", [("30 ml", 3400, 50)]),
    ("Studio ANC Headphones", "headphones", [("Sunset", 12900, 15)]),
    ("Morning Ritual Mug", "mug", [("Jade", 1500, 30)]),
]


def build_market(base: str, *, start: bool = True, pin: bool = True) -> Market:
    blank = Caller(base, "", {})
    market = Market(base, blank, blank, blank, "", "", "", {})
    market.merchant_email = "aurora@example.com"
    market.merchant = market.sign_up(market.merchant_email, "Aurora Beauty", ["merchant"])
    market.host_email = "mia@example.com"
    market.host = market.sign_up(market.host_email, "Mia Chen", ["host"])
    market.host("PATCH", "/api/me", json={"avatar_url": "/static/demo/avatar-mia.svg"})
    market.shopper_email = "sam@example.com"
    market.shopper = market.sign_up(market.shopper_email, "Sam", ["shopper"])
    for title, image, skus in CATALOGUE:
        market.products.append(
            market.merchant(
                "POST",
                "/api/products",
                201,
                json={
                    "title": title,
                    "description": f"{title}: a shopper favourite.",
                    "image_url": f"/static/demo/{image}.svg",
                    "skus": [
                        {"name": n, "price": p, "currency": "USD", "stock": q} for n, p, q in skus
                    ],
                },
            )
        )
    market.show = market.host(
        "POST",
        "/api/shows",
        201,
        json={
            "title": "Glow-up Friday: beauty drops & flash deals",
            "cover_url": "/static/demo/cover-beauty.svg",
            "scheduled_start": "2026-01-01T10:00:00Z",
            "product_ids": [p["id"] for p in market.products],
        },
    )
    if start:
        market.host("POST", f"/api/shows/{market.show['id']}/start")
        if pin:
            market.host(
                "POST",
                f"/api/shows/{market.show['id']}/pin",
                json={"product_id": market.products[0]["id"]},
            )
    return market


@pytest.fixture
def market(live_server: Callable[..., Any]) -> Iterator[Callable[..., Market]]:
    made: list[Market] = []

    def make(**kw: Any) -> Market:
        server = live_server(HAWKER_COALESCE_SECONDS="0.1")
        m = build_market(server.url, **kw)
        made.append(m)
        return m

    yield make
    for m in made:
        m.close()


def log_in(page: Any, base: str, email: str, next_path: str = "/") -> None:
    """Log in through the real form (so the session cookie is the browser's own)."""
    page.goto(f"{base}/login?next={next_path}")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_path}")
