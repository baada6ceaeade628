"""Alembic environment: async engine, same driver as the application."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from hawker.migrations.models import metadata

config = context.config
# Nodes starting together against one PostgreSQL database would race to create the schema:
# each migrates under this transaction-scoped advisory lock, so one migrates and the others
# wait, then find the schema current (Alembic reads the version after the lock is taken).
MIGRATION_LOCK = 0x6861776B6572  # "hawker"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _main() -> None:
    engine = create_async_engine(
        config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool
    )
    async with engine.connect() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `hawker migrate`")
asyncio.run(_main())
