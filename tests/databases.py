"""Throw-away databases for tests: a run migrates one template per backend, then each test
gets a copy (bench/database_per_test.py; bench/RESULTS.md has the figures).

SQLite: a file copy (~1 ms) instead of an Alembic run per test (~140 ms). PostgreSQL: ``CREATE
DATABASE ... TEMPLATE`` (~29 ms) rather than ``TRUNCATE`` of every table (~36 ms, and one shared
database, so live servers and concurrent runs would collide) or a migration (~280 ms). Every
name carries the run's id, so concurrent runs never meet, and databases are dropped in the
background so a test does not wait for it.

asyncpg needs an event loop, and tests create databases from synchronous fixtures, some while
another loop is running (the app's, in a portal thread), so the admin connection lives on a
loop of its own in a daemon thread.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import shutil
import threading
from collections.abc import Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from hawker.migrations import upgrade

T = TypeVar("T")
PREFIX = "hawker_test_"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def admin_url() -> str:
    """The maintenance database tests connect to in order to create their own."""
    return os.environ.get("HAWKER_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


class SqliteDatabases:
    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.sqlite3"
        self._numbers = itertools.count()
        with ThreadPoolExecutor(1) as pool:  # Alembic's env runs a loop of its own
            pool.submit(upgrade, f"sqlite+aiosqlite:///{self.template}").result()

    def create(self, directory: Path) -> str:
        """A copy of the migrated template in ``directory``; returns its URL."""
        path = directory / f"db{next(self._numbers)}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite+aiosqlite:///{path}"


class PostgresDatabases:
    def __init__(self, url: str) -> None:
        self.admin_url = url
        self.run_id = f"{PREFIX}{os.getpid()}_{secrets.token_hex(3)}"
        self.template = f"{self.run_id}_tpl"
        self._count = 0
        self._drops: list[Future[None]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._lock = asyncio.Lock()  # one asyncpg connection runs one statement at a time
        self._conn: asyncpg.Connection = self._call(asyncpg.connect(url, timeout=5))
        self._drop_leftovers()
        self._call(self._execute(f'CREATE DATABASE "{self.template}"'))
        with ThreadPoolExecutor(1) as pool:  # Alembic's env runs a loop of its own
            pool.submit(upgrade, self.url(self.template)).result()

    def url(self, name: str) -> str:
        """The SQLAlchemy URL of database ``name`` on the same server as the admin URL."""
        base = self.admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        return f"{base}/{name}"

    def create(self, *, migrated: bool = True) -> str:
        """A new database holding the migrated, empty schema (or no schema); its URL."""
        self._count += 1
        name = f"{self.run_id}_{self._count}"
        template = f' TEMPLATE "{self.template}"' if migrated else ""
        self._call(self._execute(f'CREATE DATABASE "{name}"{template}'))
        return self.url(name)

    def drop(self, url: str) -> None:
        """Drop in the background; ``FORCE`` ends sessions a stopped server may have left."""
        name = url.rsplit("/", 1)[1]
        statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        self._drops.append(asyncio.run_coroutine_threadsafe(self._execute(statement), self._loop))

    def close(self) -> None:
        for done in self._drops:
            done.result()
        self._call(self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
        self._call(self._conn.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _drop_leftovers(self) -> None:
        """Databases of earlier runs whose process is gone (killed before their teardown)."""
        names = self._call(
            self._conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", PREFIX + "%")
        )
        for (name,) in names:
            pid = name.removeprefix(PREFIX).split("_", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                self._call(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    async def _execute(self, statement: str) -> None:
        async with self._lock:
            await self._conn.execute(statement)

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
