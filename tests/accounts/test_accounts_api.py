from fastapi.testclient import TestClient

from tests.conftest import assert_problem


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
