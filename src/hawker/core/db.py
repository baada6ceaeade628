"""Database engine and units of work.

Two kinds of unit: ``read()`` (deferred transaction, many at once) and ``write()``.
On SQLite a write starts with ``BEGIN IMMEDIATE`` and writers in this process queue on an
asyncio lock, so they never spin on SQLITE_BUSY; WAL keeps readers unblocked. PostgreSQL needs
neither: its writes run concurrently and correctness comes from conditional updates.

On PostgreSQL one pool serves both kinds of unit. ``pool_pre_ping`` checks a connection as it
leaves the pool, so one the server dropped between requests (restart, failover, an operator's
``pg_terminate_backend``) is replaced instead of failing the next request; a connection lost
in the middle of a unit rolls it back on the server and is told apart by ``is_unavailable``
(the web layer answers 503, and the client retries with the same Idempotency-Key).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import BigInteger, Integer, MetaData, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from hawker.core.sqlite_inline import InlineConnection, inline_creator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A 64-bit key for tables that can pass 2**31 rows (the event log). SQLite assigns keys only to
# a column declared exactly INTEGER PRIMARY KEY (already 64-bit), so it keeps that spelling.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let the "begin" listener own transaction starts
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=120,
        async_creator=inline_creator(make_url(url).database or ":memory:"),
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)

    def _begin(conn: Connection) -> None:
        # straight on sqlite3 (in-line, see core.sqlite_inline): through exec_driver_sql it
        # was a third of a write unit's fixed cost
        driver = conn.connection.driver_connection
        assert isinstance(driver, InlineConnection)
        driver.sqlite.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    event.listen(engine.sync_engine, "begin", _begin)
    return engine


def _postgres_engine(url: str, *, pool_size: int) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,  # bursts borrow up to as many again, returned when idle
        pool_timeout=30,
        pool_pre_ping=True,
        pool_recycle=1800,  # under typical idle-connection cut-offs of proxies and firewalls
    )


# SQLSTATEs meaning "not now", not "wrong": connection exceptions, the server shutting down or
# starting up, no connection slot left.
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database was unreachable or the connection was lost, so
    nothing of the unit was committed (or, lost during COMMIT, it is unknown: a retry with the
    same Idempotency-Key tells) and the request may be retried, unlike a failed statement."""
    if isinstance(error, DBAPIError):
        sqlstate = str(getattr(error.orig, "pgcode", None) or "")
        return error.connection_invalidated or sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    # asyncpg raises refused or timed-out connects as they are, not as DBAPI errors
    return isinstance(error, PoolTimeout | ConnectionError | TimeoutError)


class Database:
    """Owns the engines and hands out units of work."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False, pool_size=8)
            self.write_engine = _sqlite_engine(url, immediate=True, pool_size=1)
        else:
            # Separate pools: writers queued on a hot row's lock (a flash sale's winners) must
            # not hold every connection while the crowd's reads (refusals, replays) wait.
            self.read_engine = _postgres_engine(url, pool_size=pool_size)
            self.write_engine = _postgres_engine(url, pool_size=pool_size)
        self._reads = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._writes = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._unit(self._reads) as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One atomic unit: commits on success, rolls back on any exception."""
        if self._write_lock is None:
            async with self._unit(self._writes) as session:
                yield session
            return
        async with self._write_lock, self._unit(self._writes) as session:
            yield session

    @asynccontextmanager
    async def _unit(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> AsyncIterator[AsyncSession]:
        if not self.is_sqlite:
            async with sessions() as session, session.begin():
                yield session
            return
        # SQLAlchemy's own exit closes the session in a task of its own (so a cancel cannot cut
        # the close short); that task queues behind every ready task, and in a burst the next
        # writer waited a whole burst's worth of them for the lock. In-line SQLite closes
        # without suspending (core.sqlite_inline), so there is nothing to cut short.
        session = sessions()
        try:
            async with session.begin():
                yield session
        finally:
            await session.close()

    async def dispose(self) -> None:
        await self.read_engine.dispose()
        if self.write_engine is not self.read_engine:
            await self.write_engine.dispose()


def dialect_name(s: AsyncSession) -> str:
    """``postgresql`` or ``sqlite``: picks a statement prebuilt for each."""
    return str(s.get_bind().dialect.name)


def upserts(build: Callable[[Any], Any]) -> dict[str, Any]:
    """An upsert statement built once per dialect (from its own ``insert``), to be picked per
    session with ``dialect_name``: hot paths bind values at execution instead of building."""
    return {"postgresql": build(postgresql.insert), "sqlite": build(sqlite.insert)}


def upsert_insert(s: AsyncSession) -> Any:
    """The session's dialect's own ``insert`` (the one with ``on_conflict_do_nothing`` and
    ``on_conflict_do_update``): ON CONFLICT is not in SQLAlchemy's portable insert."""
    return postgresql.insert if dialect_name(s) == "postgresql" else sqlite.insert
