"""Web fixtures: a seeded marketplace over the JSON API (Chromium itself: tests/browser.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
import pytest

from hawker.accounts import service as accounts
from hawker.core.config import Settings
from hawker.core.db import Database

PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 860}


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


def expect(page: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(page)


def operator_page(
    browser: Any, server: Any, next_path: str, viewport: dict[str, int] = DESKTOP
) -> tuple[Any, list[str]]:
    """An operator (ops@example.com) signed in through the form, on ``next_path`` of the
    live server, and the page errors the page collects."""
    make_operator(server.settings, "ops@example.com")
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, server.url, "ops@example.com", next_path)
    return page, errors


def make_operator(settings: Settings, email: str) -> None:
    """Operators cannot sign up: made through the trusted service path, as `hawker demo` does
    (on a thread of its own: Playwright's sync API keeps an event loop on this one)."""

    async def create() -> None:
        db = Database(settings.effective_database_url, pool_size=1)
        try:
            async with db.write() as s:
                await accounts.do_create_user(
                    s, email=email, password=PASSWORD, display_name="Ops", roles=["operator"]
                )
        finally:
            await db.dispose()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()
