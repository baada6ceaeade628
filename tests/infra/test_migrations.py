"""Migration 0001 runs on both backends, down and up again, and leaves exactly the schema the
models declare (types, partial unique index included)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from hawker.creators.models import SalesHour
from hawker.migrations import alembic_config, upgrade
from hawker.migrations.models import metadata
from tests.databases import PostgresDatabases


def _differences(url: str) -> tuple[list[Any], dict[str, Any]]:
    def compare(conn: Connection) -> tuple[list[Any], dict[str, Any]]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        indexes = {
            ix["name"]: ix for ix in inspect(conn).get_indexes("flash_deals") if ix["unique"]
        }
        return compare_metadata(context, metadata), indexes

    async def run() -> tuple[list[Any], dict[str, Any]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_down_and_up_again_leaves_the_declared_schema(
    backend: str, new_database: Callable[[], str], tmp_path: Path
) -> None:
    url = new_database() or f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    diff, unique = _differences(url)
    assert diff == []
    live = unique["uq_flash_deals_live_sku"]
    dialect = "postgresql" if backend == "postgres" else backend
    assert live["column_names"] == ["sku_id"]
    assert "'live'" in str(live["dialect_options"][f"{dialect}_where"])  # partial: live deals


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite serves one process only
def test_nodes_starting_together_migrate_once(
    backend: str, postgres: PostgresDatabases, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Six server nodes started at once against one empty database all come up, and the
    schema is made once (``hawker migrate`` is what each node's start runs)."""
    url = postgres.create(migrated=False)
    request.addfinalizer(lambda: postgres.drop(url))
    env = os.environ | {"HAWKER_DATABASE_URL": url, "HAWKER_DATA_DIR": str(tmp_path)}
    nodes = [
        subprocess.Popen(
            [sys.executable, "-m", "hawker.cli", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(6)
    ]
    for node in nodes:
        out, _ = node.communicate(timeout=120)
        assert node.returncode == 0, out.decode()
    assert _differences(url)[0] == []


def test_big_screen_hours_are_summed_from_earlier_sales(
    backend: str, new_database: Callable[[], str], tmp_path: Path
) -> None:
    """0012 fills ``sales_hours`` from the sales already kept: per hour and group, the net
    and the orders with something left paid, in the form the models then keep adding to."""
    url = new_database() or f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "0011_coupons")
    sales = [  # order, host, merchant, net, paid at
        (1, 5, 2, 1000, "2026-11-29 10:05:00"),
        (2, 5, 2, 500, "2026-11-29 10:59:59.5"),
        (3, 5, 2, 0, "2026-11-29 10:30:00"),  # wholly refunded
        (4, None, 3, 700, "2026-11-29 11:00:00"),
    ]

    async def run() -> list[tuple[Any, ...]]:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                for order, host, merchant, net, at in sales:
                    await conn.execute(
                        text(
                            "INSERT INTO sales (order_id, host_id, merchant_id, currency, net, "
                            "paid_at, last_event_id) VALUES (:o, :h, :m, 'USD', :n, :at, :e)"
                        ),
                        {"o": order, "e": order, "h": host, "m": merchant, "n": net,
                         "at": datetime.fromisoformat(at)},
                    )  # fmt: skip
            await asyncio.to_thread(upgrade, url)
            async with engine.connect() as conn:
                rows = await conn.execute(
                    select(
                        SalesHour.hour, SalesHour.host_id, SalesHour.net, SalesHour.orders
                    ).order_by(SalesHour.hour)
                )
                return [tuple(r) for r in rows]
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == [
        (datetime(2026, 11, 29, 10), 5, 1500, 2),
        (datetime(2026, 11, 29, 11), 0, 700, 1),
    ]
