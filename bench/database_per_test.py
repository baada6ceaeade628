"""What an empty, migrated database per test costs, on each backend.

Strategies: a SQLite file migrated by Alembic (what every SQLite test pays); on PostgreSQL a new
database migrated by Alembic, a clone of a migrated template (``CREATE DATABASE ... TEMPLATE``,
both copy strategies), and ``TRUNCATE`` of every table in one shared database. The ceiling is
what every test pays anyway: starting and stopping the app (its lifespan, with the migration
check) on an already-migrated database of the same backend, measured in the same run; the
ratio says how much isolation adds to it. The last line printed is one JSON object.

    python bench/database_per_test.py --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg
from fastapi.testclient import TestClient

from hawker.app import create_app
from hawker.core.config import Settings
from hawker.migrations import upgrade
from hawker.migrations.models import metadata

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def timed(rounds: int, step: Callable[[int], object]) -> float:
    """Median milliseconds of ``step(i)`` over ``rounds`` calls."""
    samples = []
    for i in range(rounds):
        started = time.perf_counter()
        step(i)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def app_start(directory: Path, database_url: str) -> None:
    settings = Settings(
        data_dir=directory, database_url=database_url, argon2_time_cost=1, argon2_memory_kib=64
    )
    with TestClient(create_app(settings)):
        pass


class Postgres:
    """Sequential admin statements on a connection of its own (own loop, in this thread)."""

    def __init__(self, admin: str) -> None:
        self.admin = admin
        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection = self.loop.run_until_complete(asyncpg.connect(admin))
        self.prefix = f"bench_{uuid.uuid4().hex[:6]}"
        self.made: list[str] = []

    def url(self, name: str) -> str:
        return self.admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + (
            f"/{name}"
        )

    def execute(self, statement: str) -> None:
        self.loop.run_until_complete(self.conn.execute(statement))

    def create(self, suffix: str, template: str = "", strategy: str = "") -> str:
        name = f"{self.prefix}_{suffix}"
        clause = f' TEMPLATE "{template}"' if template else ""
        clause += f" STRATEGY {strategy}" if strategy else ""
        self.execute(f'CREATE DATABASE "{name}"{clause}')
        self.made.append(name)
        return name

    def close(self) -> None:
        for name in self.made:
            self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--admin-url", default=ADMIN, help="PostgreSQL maintenance database")
    args = parser.parse_args()
    n = args.rounds
    pg = Postgres(args.admin_url)
    results: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)

            def sqlite_url(i: int, tag: str) -> str:
                return f"sqlite+aiosqlite:///{root / f'{tag}{i}.sqlite3'}"

            template = pg.create("tpl")
            upgrade(pg.url(template))
            results["sqlite: new file + alembic"] = timed(n, lambda i: upgrade(sqlite_url(i, "m")))
            results["postgres: new database + alembic"] = timed(
                n, lambda i: upgrade(pg.url(pg.create(f"m{i}")))
            )
            for strategy in ("WAL_LOG", "FILE_COPY"):
                results[f"postgres: clone template ({strategy})"] = timed(
                    n, lambda i, s=strategy: pg.create(f"{s.lower()}{i}", template, s)
                )
            tables = ", ".join(t.name for t in metadata.sorted_tables)
            shared = pg.create("shared", template)
            truncate = Postgres(args.admin_url.rsplit("/", 1)[0] + f"/{shared}")
            results["postgres: truncate every table"] = timed(
                n, lambda i: truncate.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
            )
            truncate.close()
            ceilings = {  # the first start migrates; the median is of the warm ones
                "sqlite": timed(n, lambda i: app_start(root / "app", "")),
                "postgres": timed(n, lambda i: app_start(root / "pgapp", pg.url(template))),
            }
    finally:
        pg.close()

    print(f"{'strategy':<40} {'ms':>8} {'ceiling ms':>11} {'ratio':>6}")
    rows = []
    for name, ms in results.items():
        ceiling = ceilings[name.split(":")[0]]
        rows.append({"strategy": name, "ms": round(ms, 1), "ratio": round(ms / ceiling, 3)})
        print(f"{name:<40} {ms:>8.1f} {ceiling:>11.1f} {ms / ceiling:>6.3f}")
    print(f"ceiling: app start and stop on a migrated database (median of {n})")
    print(json.dumps({"rounds": n, "ceiling_ms": ceilings, "strategies": rows}))


if __name__ == "__main__":
    main()
