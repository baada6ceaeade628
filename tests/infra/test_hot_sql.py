"""Hot-path statements (``core.hot_sql``) write and return exactly what the session would, on
both backends: types processed both ways, statement-bound values, rows read by name, errors
as SQLAlchemy's, and nothing of a failed unit kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core.db import Database
from hawker.core.hot_sql import HotStatement, execute

META = MetaData()
ITEMS = Table(
    "hot_sql_items",
    META,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False),
    Column("state", String(10), nullable=False),
    Column("count", Integer, nullable=False),
    Column("seen_at", DateTime, nullable=False),
    Column("data", JSON, nullable=False),
    Column("stamp", String(10), default="python-side"),
)
ADD = HotStatement(insert(ITEMS).returning(ITEMS.c.id, ITEMS.c.seen_at, ITEMS.c.data))
ADD_MANY = HotStatement(insert(ITEMS))
TAKE = HotStatement(
    update(ITEMS)
    .where(
        ITEMS.c.id == bindparam("item"), ITEMS.c.state == "open", ITEMS.c.count >= bindparam("q")
    )
    .values(count=ITEMS.c.count - bindparam("q"))
    .returning(ITEMS.c.count, ITEMS.c.seen_at)
)
SEEN = datetime(2026, 11, 30, 12, 34, 56, 789000)


def item(id: int, **over: object) -> dict[str, object]:
    values = {"id": id, "name": f"item {id}", "state": "open", "count": 5, "seen_at": SEEN}
    return values | {"data": {"tags": ["a", "b"], "n": id}, "stamp": "given"} | over


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.write_engine.begin() as conn:
        await conn.run_sync(META.create_all)
    yield database
    async with database.write_engine.begin() as conn:
        await conn.run_sync(META.drop_all)
    await database.dispose()


async def stored(db: Database) -> list[tuple[object, ...]]:
    async with db.read() as s:
        return [tuple(r) for r in await s.execute(select(ITEMS).order_by(ITEMS.c.id))]


async def test_rows_go_in_and_come_back_typed(db: Database) -> None:
    async with db.write() as s:
        [added] = await execute(s, ADD, item(1))
        assert await execute(s, ADD_MANY, [item(2), item(3, state="closed")]) == []
    assert (added.id, added.seen_at, added.data) == (1, SEEN, {"tags": ["a", "b"], "n": 1})
    rows = await stored(db)
    assert [r[:6] for r in rows] == [
        (1, "item 1", "open", 5, SEEN, {"tags": ["a", "b"], "n": 1}),
        (2, "item 2", "open", 5, SEEN, {"tags": ["a", "b"], "n": 2}),
        (3, "item 3", "closed", 5, SEEN, {"tags": ["a", "b"], "n": 3}),
    ]


async def test_a_conditional_update_returns_a_row_only_when_it_applies(db: Database) -> None:
    async with db.write() as s:
        await execute(s, ADD_MANY, [item(1), item(2, state="closed")])
    async with db.write() as s:
        [taken] = await execute(s, TAKE, {"item": 1, "q": 3})
        assert (taken.count, taken.seen_at) == (2, SEEN)
        assert await execute(s, TAKE, {"item": 1, "q": 3}) == []  # 2 left
        assert await execute(s, TAKE, {"item": 2, "q": 1}) == []  # state is bound: "open"
    assert [r[3] for r in await stored(db)] == [2, 5]


async def test_a_failed_statement_is_sqlalchemys_error_and_the_unit_keeps_nothing(
    db: Database,
) -> None:
    async with db.write() as s:
        await execute(s, ADD, item(1))
    with pytest.raises(IntegrityError):
        async with db.write() as s:
            await execute(s, ADD, item(2))
            await execute(s, ADD, item(1, name="duplicate"))
    assert [r[0] for r in await stored(db)] == [1]


async def test_a_missing_parameter_is_refused_never_bound_as_null(db: Database) -> None:
    async with db.write() as s:
        await execute(s, ADD, item(1))
    with pytest.raises(Exception, match="q"):
        async with db.write() as s:
            await execute(s, TAKE, {"item": 1})
    assert [r[3] for r in await stored(db)] == [5]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_python_side_default_must_be_given_on_sqlite(db: Database) -> None:
    """SQLAlchemy's execution fills such defaults in; the SQLite hot path refuses instead of
    writing NULL (PostgreSQL goes through the session, which fills it in)."""
    values = item(1)
    del values["stamp"]
    with pytest.raises(ValueError, match="Python default"):
        async with db.write() as s:
            await execute(s, ADD, values)
    assert await stored(db) == []


async def test_each_transaction_of_a_session_runs_its_own_statements(db: Database) -> None:
    """A session that commits and begins again: the second transaction's statements are its
    own, so rolling it back takes back only them (not run outside any transaction)."""
    async with AsyncSession(db.write_engine) as s:
        await execute(s, ADD, item(1))
        await s.commit()
        await execute(s, ADD, item(2))
        await execute(s, ADD, item(3))
        await s.rollback()
        await execute(s, ADD, item(4))
        await s.commit()
    assert [r[0] for r in await stored(db)] == [1, 4]
