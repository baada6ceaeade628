"""NUL characters are refused with a 422 problem wherever text comes in, on both backends
(PostgreSQL cannot store them and used to answer 500), and nothing is written."""

import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api, assert_problem
from tests.live.test_room_socket import connect, receive_until
from tests.web.test_pages import csrf

PASSWORD = "correct horse battery"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=st.text(max_size=10), after=st.text(max_size=10))
def test_a_nul_anywhere_in_a_json_body_is_refused_and_nothing_is_stored(
    client: TestClient, before: str, after: str
) -> None:
    name = f"{before}\x00{after}"
    email = f"nul-{abs(hash(name))}@example.com"
    body = {"email": email, "password": PASSWORD, "display_name": name, "roles": ["shopper"]}
    r = client.post("/api/auth/signup", json=body)
    assert_problem(r, 422, "invalid")
    assert "NUL" in r.json()["detail"]
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 401, login.text


def test_an_escaped_backslash_before_u0000_is_ordinary_text(client: TestClient) -> None:
    name = "back\\u0000slash"  # a backslash and five characters, no NUL
    raw = json.dumps(
        {"email": "bs@example.com", "password": PASSWORD, "display_name": name}
    ).encode()
    r = client.post("/api/auth/signup", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    assert r.json()["user"]["display_name"] == name


def test_nul_in_query_path_and_form_is_refused(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    merchant = make_user("merchant")
    assert_problem(merchant.get("/api/products", params={"q": "a\x00b"}), 422, "invalid")
    assert_problem(merchant.get("/api/products/1%00"), 422, "invalid")
    form = {"email": "x\x00@example.com", "password": PASSWORD, "csrf_token": csrf(client)}
    assert_problem(client.post("/login", data=form), 422, "invalid")
    r = merchant.post(
        "/api/products",
        json={
            "title": "Mug\x00",
            "skus": [{"name": "One", "price": 100, "currency": "USD", "stock": 1}],
        },
    )
    assert_problem(r, 422, "invalid")
    assert merchant.get("/api/products").json() == []


def test_nul_in_room_chat_is_refused(client: TestClient, make_user: Callable[..., Api]) -> None:
    host = make_user("host")
    show = host.post(
        "/api/shows", json={"title": "Glow", "scheduled_start": "2026-01-01T10:00:00Z"}
    )
    sid = show.json()["id"]
    assert host.post(f"/api/shows/{sid}/start").status_code == 200
    viewer = make_user()
    with connect(client, sid, viewer) as ws:
        receive_until(ws, "hello")
        ws.send_json({"type": "chat", "text": "hi\x00there"})
        error = receive_until(ws, "error")
        assert error["code"] == "bad_character"
    assert client.get(f"/api/shows/{sid}/chat").json() == []
