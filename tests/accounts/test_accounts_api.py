from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.accounts import service
from hawker.core.db import Database
from tests.conftest import assert_problem
from tests.web.test_pages import csrf


def test_sign_up_then_log_in_and_whoami(client: TestClient) -> None:
    r = client.post(
        "/api/auth/signup",
        json={
            "email": "Ann@Example.com",
            "password": "longenough1",
            "display_name": "Ann",
            "roles": ["host"],
        },
    )
    assert r.status_code == 201, r.text
    assert sorted(r.json()["user"]["roles"]) == ["host", "shopper"]
    r = client.post("/api/auth/login", json={"email": "ann@example.com", "password": "longenough1"})
    assert r.status_code == 200
    me = client.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["email"] == "ann@example.com"


def test_wrong_password_and_duplicate_email_are_problems(client: TestClient) -> None:
    body = {"email": "a@example.com", "password": "longenough1", "display_name": "A"}
    assert client.post("/api/auth/signup", json=body).status_code == 201
    assert_problem(client.post("/api/auth/signup", json=body), 409, "email_taken")
    assert_problem(
        client.post("/api/auth/login", json={"email": "a@example.com", "password": "nope"}),
        401,
        "bad_credentials",
    )


def test_operator_role_cannot_be_self_granted(client: TestClient) -> None:
    r = client.post(
        "/api/auth/signup",
        json={
            "email": "x@example.com",
            "password": "longenough1",
            "display_name": "X",
            "roles": ["operator"],
        },
    )
    assert_problem(r, 403, "forbidden")


def test_unauthenticated_and_bad_token(client: TestClient) -> None:
    assert_problem(client.get("/api/me"), 401, "unauthenticated")
    assert_problem(client.get("/api/me", headers={"Authorization": "Bearer nope"}), 401)


def test_invalid_body_gets_field_errors(client: TestClient) -> None:
    body = assert_problem(
        client.post("/api/auth/signup", json={"email": "nope", "password": "x"}), 422, "invalid"
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"email", "password", "display_name"} <= fields


def test_profile_update_and_bad_avatar_url(client: TestClient) -> None:
    r = client.post(
        "/api/auth/signup",
        json={"email": "p@example.com", "password": "longenough1", "display_name": "P"},
    )
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    r = client.patch(
        "/api/me", json={"display_name": "Pat", "avatar_url": "/static/a.svg"}, headers=auth
    )
    assert r.status_code == 200 and r.json()["display_name"] == "Pat"
    assert_problem(
        client.patch("/api/me", json={"avatar_url": "javascript:alert(1)"}, headers=auth),
        422,
        "invalid",
    )
    assert client.get("/api/me", headers=auth).json()["avatar_url"] == "/static/a.svg"


def test_password_hashing_runs_outside_every_write_unit(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2 takes tens of milliseconds on purpose. On the embedded default a write unit holds
    the process's one write lock, so hashing inside one would stall every order behind a
    sign-up or a log-in (pages and API alike)."""
    real_write = Database.write
    in_write: ContextVar[bool] = ContextVar("in_write", default=False)  # per request
    seen: list[bool] = []

    @asynccontextmanager
    async def marked(db: Database) -> AsyncIterator[Any]:
        async with real_write(db) as s:
            token = in_write.set(True)
            try:
                yield s
            finally:
                in_write.reset(token)

    class Watched:  # called on a worker thread, which sees the request's context
        def __init__(self, hasher: Any) -> None:
            self.hasher = hasher

        def hash(self, password: str) -> str:
            seen.append(in_write.get())
            return str(self.hasher.hash(password))

        def verify(self, digest: str, password: str) -> bool:
            seen.append(in_write.get())
            return bool(self.hasher.verify(digest, password))

    monkeypatch.setattr(Database, "write", marked)
    monkeypatch.setattr(service, "_hasher", Watched(service._hasher))
    body = {"email": "w@example.com", "password": "longenough1", "display_name": "W"}
    assert client.post("/api/auth/signup", json=body).status_code == 201
    login = {"email": "w@example.com", "password": "longenough1"}
    assert client.post("/api/auth/login", json=login).status_code == 200
    page = {"email": "p@example.com", "password": "longenough1", "display_name": "P"}
    for path, form in (("/signup", page), ("/login", login)):
        r = client.post(path, data=form | {"csrf_token": csrf(client)}, follow_redirects=False)
        assert r.status_code == 303, r.text
    assert seen == [False] * 4
