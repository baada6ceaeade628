"""Shared fixtures. Fixtures are factories: tests say what they need, not how to build it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from hawker.app import create_app
from hawker.core.config import Settings
from hawker.core.db import Database
from tests.databases import PostgresDatabases, SqliteDatabases, admin_url

pytest_plugins = ["tests.browser"]  # Chromium fixtures, shared by web and video tests
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_kib": 64}
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    """The run's PostgreSQL databases. Unreachable: the test skips saying why, except under
    ``CI=true``, where CI must never silently run on SQLite alone."""
    url = admin_url()
    try:
        databases = PostgresDatabases(url)
    except (OSError, asyncpg.PostgresError) as error:
        reason = f"PostgreSQL at {url} is unreachable ({error!r}); set HAWKER_TEST_POSTGRES_URL"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Every test that touches storage runs once per backend (ids end in [sqlite]/[postgres])."""
    return str(request.param)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    return SqliteDatabases(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture
def new_database(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Factory: the ``HAWKER_DATABASE_URL`` of a new database holding the migrated, empty
    schema, on this test's backend."""
    if backend == "sqlite":
        sqlite: SqliteDatabases = request.getfixturevalue("sqlite_databases")
        yield lambda: sqlite.create(tmp_path)
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres")
    made: list[str] = []

    def make() -> str:
        made.append(databases.create())
        return made[-1]

    yield make
    for url in made:
        databases.drop(url)


@pytest.fixture
def database_url(new_database: Callable[[], str]) -> str:
    """This test's database (see ``new_database``)."""
    return new_database()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, **CHEAP_ARGON2)  # type: ignore[arg-type]


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


_HANDED_OUT: set[int] = set()


def _free_port() -> int:
    """A free loopback port never handed out before in this run: the kernel may give the same
    port to two bind(0) calls in a row, and a test often asks for several before using any."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


class LiveServer:
    """A real server process (uvicorn) on loopback, for HTTP-level concurrency and browsers."""

    def __init__(
        self, data_dir: Path, database_url: str, env: dict[str, str] | None = None
    ) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.settings = Settings(data_dir=data_dir, database_url=database_url)
        environ = os.environ | {
            "HAWKER_DATA_DIR": str(data_dir),
            "HAWKER_DATABASE_URL": database_url,
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
                "--timeout-graceful-shutdown",
                "5",
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
            self.proc.wait()
        self.log.close()

    def query(self, sql: str, **params: Any) -> list[Any]:
        """Rows of ``sql`` read straight from the server's database (either backend)."""

        async def fetch() -> list[Any]:
            db = Database(self.settings.effective_database_url, pool_size=1)
            try:
                async with db.read() as s:
                    return list((await s.execute(text(sql), params)).all())
            finally:
                await db.dispose()

        return asyncio.run(fetch())


@pytest.fixture
def live_server(
    tmp_path: Path, new_database: Callable[[], str]
) -> Iterator[Callable[..., LiveServer]]:
    """Factory: ``live_server(HAWKER_X="1")`` starts a server on a database of its own on this
    test's backend; pass ``HAWKER_DATABASE_URL`` to have several servers share one."""
    servers: list[LiveServer] = []

    def start(**env: str) -> LiveServer:
        url = env.pop("HAWKER_DATABASE_URL", None)
        server = LiveServer(
            tmp_path / f"live{len(servers)}", new_database() if url is None else url, env
        )
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
