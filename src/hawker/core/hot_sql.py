"""Hot-path statements run straight on the embedded default's SQLite cursor.

A flash sale's winner runs six small statements in one unit. Through SQLAlchemy's execution
(an execution context, a result object and the async adaptation's greenlet hops per statement)
each cost ~200 µs more than SQLite's own work (40-100 µs) on the CI machine kind, and the
winners were half of a sale's server time (bench/RESULTS.md). So on the in-line SQLite
connection (``core.sqlite_inline``) ``execute`` runs them itself: SQLAlchemy still compiles
the Core statement (once per set of parameter names) and still supplies each parameter's and
returned column's type processing; only the per-call machinery is skipped. The statement runs
on the session's own connection, inside its transaction, and a failure comes back as
SQLAlchemy's exception (``IntegrityError`` and the rest), as it would through the session.

Elsewhere (PostgreSQL through asyncpg) the session executes the statement as usual. No library
offers a lighter executor for an already compiled statement.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase

from hawker.core.db import dialect_name
from hawker.core.sqlite_inline import InlineConnection

Process = Callable[[Any], Any] | None
Params = dict[str, Any]
_CONNECTION = "hawker.hot_sql.connection"  # key in the session's ``info``


@dataclass(frozen=True)
class _Form:
    """A statement compiled for SQLite with one set of parameter names."""

    sql: str
    binds: list[tuple[str, Process]]  # in the order of the SQL's ``?``
    defaults: Params  # values the statement binds itself (``column == "live"``)
    results: list[Process]  # per returned column
    make_row: Callable[..., Any]  # a named tuple, read like SQLAlchemy's rows

    def parameters(self, params: Params) -> list[Any]:
        values = self.defaults | params
        return [values[name] if p is None else p(values[name]) for name, p in self.binds]

    def row(self, raw: Sequence[Any]) -> Any:
        return self.make_row(
            *(v if p is None else p(v) for p, v in zip(self.results, raw, strict=True))
        )


class HotStatement:
    """An INSERT, UPDATE or upsert of the hot path (with or without RETURNING)."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        self._forms: dict[frozenset[str], _Form] = {}

    def form(self, dialect: Dialect, names: frozenset[str]) -> _Form:
        form = self._forms.get(names)
        if form is None:
            form = self._forms[names] = self._compile(dialect, names)
        return form

    def _compile(self, dialect: Dialect, names: frozenset[str]) -> _Form:
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=sorted(names))
        if compiled.insert_prefetch or compiled.update_prefetch:
            # Python-side column defaults are filled in by SQLAlchemy's execution context
            raise ValueError(f"give every column with a Python default: {self.statement}")
        binds = [compiled.binds[name] for name in compiled.positiontup]
        if any(bind.expanding for bind in binds):
            raise ValueError("IN lists are not supported on the hot path")
        returned = list(self.statement.exported_columns)  # RETURNING's, if any
        return _Form(
            sql=str(compiled),
            binds=[(b.key, b.type.dialect_impl(dialect).bind_processor(dialect)) for b in binds],
            # what the statement binds itself (``status == "live"``); a missing parameter is
            # a KeyError, never a NULL
            defaults={b.key: b.effective_value for b in binds if not b.required},
            results=[
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in returned
            ],
            make_row=namedtuple("Row", [c.key for c in returned]),  # type: ignore[misc]
        )


async def execute(s: AsyncSession, hot: HotStatement, params: Params | list[Params]) -> list[Any]:
    """Run ``hot`` in ``s``'s unit with ``params`` (a list: one row each, no RETURNING);
    the rows it returns."""
    if dialect_name(s) != "sqlite":
        result = await s.execute(hot.statement, params)
        return list(result) if hot.statement.exported_columns else []
    dialect, sqlite = await _sqlite(s)
    rows = params if isinstance(params, list) else [params]
    form = hot.form(dialect, frozenset(rows[0]))
    try:
        if isinstance(params, list):
            sqlite.executemany(form.sql, [form.parameters(p) for p in rows])
            return []
        return [form.row(r) for r in sqlite.execute(form.sql, form.parameters(params))]
    except sqlite3.Error as e:
        raise DBAPIError.instance(form.sql, params, e, sqlite3.Error) from e


async def _sqlite(s: AsyncSession) -> tuple[Dialect, sqlite3.Connection]:
    """The ``sqlite3`` connection of ``s``'s transaction. The session is asked once per
    transaction (the first ask begins it): every ask is a greenlet hop, and a winner's six
    statements asked six times."""
    transaction = s.sync_session.get_transaction()
    known = s.info.get(_CONNECTION)
    if known is not None and transaction is not None and known[0] is transaction:
        return known[1], known[2]
    connection = await s.connection()
    driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    assert isinstance(driver, InlineConnection)  # what core.db opens SQLite with
    s.info[_CONNECTION] = (s.sync_session.get_transaction(), connection.dialect, driver.sqlite)
    return connection.dialect, driver.sqlite
