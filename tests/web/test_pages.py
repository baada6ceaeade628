"""Server-rendered pages through the in-process client: roles, redirects, forms, escaping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api

PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script>"


def csrf(client: TestClient) -> str:
    if "hawker_csrf" not in client.cookies:
        client.get("/login")
    return str(client.cookies["hawker_csrf"])


def form_login(client: TestClient, email: str, next_path: str = "/") -> Any:
    return client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": next_path, "csrf_token": csrf(client)},
        follow_redirects=False,
    )


def login_as(client: TestClient, api: Api) -> None:
    r = form_login(client, api.user["email"])
    assert r.status_code == 303, r.text


@pytest.fixture
def show(make_user: Callable[..., Api]) -> dict[str, Any]:
    """A live show whose line-up holds a product with a hostile title, pinned."""
    merchant, host = make_user("merchant"), make_user("host", name="Mia")
    product = merchant.post(
        "/api/products",
        json={
            "title": f"Lipstick {XSS}",
            "skus": [{"name": "Ruby", "price": 1900, "currency": "USD", "stock": 5}],
        },
    ).json()
    created = host.post(
        "/api/shows",
        json={
            "title": "Glow-up Friday",
            "scheduled_start": "2026-01-01T10:00:00Z",
            "product_ids": [product["id"]],
        },
    ).json()
    assert host.post(f"/api/shows/{created['id']}/start").status_code == 200
    pinned = host.post(f"/api/shows/{created['id']}/pin", json={"product_id": product["id"]})
    assert pinned.status_code == 200
    return {"id": created["id"], "host": host, "merchant": merchant, "product": product}


def test_home_lists_live_shows_and_products(client: TestClient, show: dict[str, Any]) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert f'href="/shows/{show["id"]}"' in r.text
    assert "Glow-up Friday" in r.text and "LIVE" in r.text
    assert f'href="/products/{show["product"]["id"]}"' in r.text
    assert "$19.00" in r.text  # money always with its currency


@pytest.mark.parametrize(
    "path", ["/cart", "/orders", "/checkout", "/studio", "/merchant/products", "/merchant/orders"]
)
def test_private_pages_redirect_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize("path", ["/studio", "/merchant/products", "/merchant/orders"])
def test_wrong_role_is_refused(
    client: TestClient, make_user: Callable[..., Api], path: str
) -> None:
    login_as(client, make_user("shopper"))
    r = client.get(path)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "needs the" in r.text


def test_another_hosts_studio_is_forbidden(
    client: TestClient, make_user: Callable[..., Api], show: dict[str, Any]
) -> None:
    login_as(client, make_user("host"))
    assert client.get(f"/studio/shows/{show['id']}").status_code == 403


def test_each_page_renders_for_its_role(
    client: TestClient, make_user: Callable[..., Api], show: dict[str, Any]
) -> None:
    shopper = make_user("shopper")
    sku = show["product"]["skus"][0]["id"]
    assert shopper.post("/api/cart/items", json={"sku_id": sku, "quantity": 1}).status_code == 201
    login_as(client, shopper)
    for path in (
        "/",
        f"/shows/{show['id']}",
        f"/products/{show['product']['id']}",
        "/cart",
        "/checkout",
        "/orders",
    ):
        assert client.get(path).status_code == 200, path
    client.cookies.clear()
    login_as(client, show["host"])
    assert client.get("/studio").status_code == 200
    r = client.get(f"/studio/shows/{show['id']}")
    assert r.status_code == 200 and "Launch a flash deal" in r.text
    client.cookies.clear()
    login_as(client, show["merchant"])
    r = client.get("/merchant/products")
    assert r.status_code == 200 and f'data-sku="{sku}"' in r.text
    assert client.get("/merchant/orders?status=paid").status_code == 200


def test_missing_things_are_html_404s(client: TestClient) -> None:
    for path in ("/shows/999", "/products/999"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_checkout_and_orders_show_my_orders(
    client: TestClient, make_user: Callable[..., Api], show: dict[str, Any]
) -> None:
    shopper, stranger = make_user("shopper"), make_user("shopper")
    sku = show["product"]["skus"][0]["id"]
    order = shopper.post(
        "/api/orders",
        json={"items": [{"sku_id": sku, "quantity": 1}]},
        headers={"Idempotency-Key": "page-test-1"},
    ).json()
    login_as(client, shopper)
    r = client.get(f"/checkout?orders={order['id']}")
    assert f'data-pay="{order["id"]}"' in r.text and "$19.00" in r.text
    r = client.get("/orders")
    assert f"Order #{order['id']}" in r.text and "badge-pending" in r.text
    client.cookies.clear()
    login_as(client, stranger)  # someone else's order is not theirs to see
    assert client.get(f"/checkout?orders={order['id']}").status_code == 404


def test_user_text_is_escaped_everywhere(
    client: TestClient, make_user: Callable[..., Api], show: dict[str, Any]
) -> None:
    chatter = make_user("shopper", name="<b>Eve</b>")
    said = chatter.post(f"/api/shows/{show['id']}/chat", json={"text": f"hi {XSS}"})
    assert said.status_code == 201
    login_as(client, show["host"])
    for path in (
        "/",
        f"/shows/{show['id']}",
        f"/products/{show['product']['id']}",
        f"/studio/shows/{show['id']}",
    ):
        text = client.get(path).text
        assert XSS not in text and "<b>Eve</b>" not in text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
    room = client.get(f"/shows/{show['id']}").text
    assert "&lt;b&gt;Eve&lt;/b&gt;" in room
    assert "\\u003cscript\\u003e" in room  # the state handed to room.js is escaped JSON too


def test_signup_form_starts_a_session_with_roles(client: TestClient) -> None:
    r = client.post(
        "/signup",
        data={
            "email": "new@example.com",
            "password": PASSWORD,
            "display_name": "Nia",
            "roles": ["host", "merchant"],
            "next": "/studio",
            "csrf_token": csrf(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/studio"
    cookie = r.headers["set-cookie"].lower()
    assert "hawker_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/studio").status_code == 200
    assert client.get("/merchant/products").status_code == 200


def test_signup_form_shows_errors_and_keeps_input(client: TestClient) -> None:
    r = client.post(
        "/signup",
        data={
            "email": "not-an-email",
            "password": "short",
            "display_name": "Nia",
            "csrf_token": csrf(client),
        },
    )
    assert r.status_code == 400
    assert 'role="alert"' in r.text and 'value="Nia"' in r.text
    assert "hawker_session" not in r.headers.get("set-cookie", "")


def test_login_logout_and_next_stays_local(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    shopper = make_user("shopper")
    bad = client.post(
        "/login",
        data={"email": shopper.user["email"], "password": "wrong", "csrf_token": csrf(client)},
    )
    assert bad.status_code == 400 and "wrong email or password" in bad.text
    r = form_login(client, shopper.user["email"], "//evil.example/phish")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/orders").status_code == 200
    assert client.get("/login?next=/cart", follow_redirects=False).headers["location"] == "/cart"

    stolen = client.cookies.get("hawker_session")
    out = client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/orders", follow_redirects=False).status_code == 303
    # the old cookie is dead at once, not when the credential cache would have expired it
    replayed = client.get("/api/me", headers={"Cookie": f"hawker_session={stolen}"})
    assert replayed.status_code == 401
    again = form_login(client, shopper.user["email"], "https://evil.example/")
    assert again.headers["location"] == "/"


@pytest.mark.parametrize("path", ["/login", "/signup", "/logout"])
def test_form_posts_without_csrf_token_are_refused(
    client: TestClient, make_user: Callable[..., Api], path: str
) -> None:
    shopper = make_user("shopper")
    csrf(client)  # the browser has the cookie, but the form does not echo it
    r = client.post(
        path,
        data={"email": shopper.user["email"], "password": PASSWORD, "display_name": "X"},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "hawker_session" not in r.headers.get("set-cookie", "")


def test_only_pages_set_the_csrf_cookie(client: TestClient, make_user: Callable[..., Api]) -> None:
    """The token travels in the page (base.html), so API calls and probes get no cookie they
    would never echo; the page that carries the token sets the cookie beside it."""
    shopper = make_user("shopper")
    client.cookies.clear()
    for r in (
        client.get("/healthz"),
        client.get("/api/me", headers=shopper.headers),
        client.post("/api/orders", json={"items": []}, headers=shopper.headers),
    ):
        assert r.status_code < 500 and "hawker_csrf" not in r.headers.get("set-cookie", ""), r
    page = client.get("/login")
    token = page.cookies["hawker_csrf"]
    assert f'<meta name="csrf-token" content="{token}">' in page.text
