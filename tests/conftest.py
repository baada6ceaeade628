"""Shared fixtures. Fixtures are factories: tests say what they need, not how to build it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from hawker.app import create_app
from hawker.core.config import Settings

CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 64}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", **CHEAP_ARGON2)  # type: ignore[arg-type]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """In-process client (lifespan runs: migrations, jobs). Speaks HTTP and WebSocket."""
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


class Api:
    """A JSON API caller bound to one bearer token."""

    def __init__(self, client: TestClient, token: str, user: dict[str, Any]) -> None:
        self.client, self.token, self.user = client, token, user
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.get(url, headers=self.headers | kw.pop("headers", {}), **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.post(url, headers=self.headers | kw.pop("headers", {}), **kw)

    def patch(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.patch(url, headers=self.headers | kw.pop("headers", {}), **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.put(url, headers=self.headers | kw.pop("headers", {}), **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.client.delete(url, headers=self.headers | kw.pop("headers", {}), **kw)


@pytest.fixture
def make_user(client: TestClient) -> Callable[..., Api]:
    """``make_user("host", "merchant")`` signs up a fresh account holding those roles.
    Operators cannot self-register, so they are created through the trusted service path."""
    counter = iter(range(1, 10_000))

    def make(*roles: str, name: str = "") -> Api:
        n = next(counter)
        email = f"user{n}@example.com"
        if "operator" in roles:
            return _make_operator(client, email, list(roles))
        r = client.post(
            "/api/auth/signup",
            json={
                "email": email,
                "password": "correct horse battery",
                "display_name": name or f"User {n}",
                "roles": list(roles) or ["shopper"],
            },
        )
        assert r.status_code == 201, r.text
        return Api(client, r.json()["token"], r.json()["user"])

    return make


def _make_operator(client: TestClient, email: str, roles: list[str]) -> Api:
    from hawker.accounts import service
    from hawker.infra.runtime import runtime_of

    rt = runtime_of(client.app)

    async def create() -> None:
        async with rt.db.write() as s:
            await service.do_create_user(
                s,
                email=email,
                password="correct horse battery",
                display_name="Operator",
                roles=roles,
            )

    client.portal.call(create)  # type: ignore[union-attr]
    r = client.post("/api/auth/login", json={"email": email, "password": "correct horse battery"})
    assert r.status_code == 200, r.text
    return Api(client, r.json()["token"], r.json()["user"])


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """Bad input must give an RFC 9457 body with a clear message (invariant 7)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real server process (uvicorn) on loopback, for HTTP-level concurrency and browsers."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        environ = os.environ | {
            "HAWKER_DATA_DIR": str(data_dir),
            "HAWKER_ARGON2_TIME_COST": "1",
            "HAWKER_ARGON2_MEMORY_KIB": "64",
            "HAWKER_PORT": str(self.port),
        }
        environ |= env or {}
        self.log = (data_dir.parent / f"server-{self.port}.log").open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "hawker.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=environ,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.logs()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.logs()}")

    def logs(self) -> str:
        return (self.data_dir.parent / f"server-{self.port}.log").read_text(errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    servers: list[LiveServer] = []

    def start(**env: str) -> LiveServer:
        server = LiveServer(tmp_path / f"live{len(servers)}", env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
