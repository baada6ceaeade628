"""GMV big screen benchmark: what one frame costs as the day's sales grow.

A frame is recomputed at most once a second per node (and per campaign and currency), so its
cost is the share of one core the screen takes, whatever the order rate or the number of open
screens. This fills a fresh embedded (SQLite) or PostgreSQL database with ``--sales`` paid
orders spread over today (200 shows of 40 hosts, 25 merchants, seven channels, a refund in
twenty) in ``sales`` and its hour groups ``sales_hours``, then times ``snapshot()`` (every
query of a frame) ``--runs`` times. In the same run: the ceiling, a read unit doing nothing
(``SELECT 1``: what any frame pays at least), and, for comparison, summing today's ``sales``
per currency once (the first of a frame's five sums, were frames read from the orders). The
last line printed is one JSON object.

    python bench/big_screen.py --sales 10000 100000 300000 --runs 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, literal, select

from hawker.accounts.models import User
from hawker.catalog.models import Merchant
from hawker.core.clock import utcnow
from hawker.core.config import Settings
from hawker.creators.big_screen import snapshot
from hawker.creators.gmv import GROUP, hour_of, start_of_day
from hawker.creators.models import Sale, SalesHour
from hawker.infra.runtime import Runtime
from hawker.live.hub import RoomHub
from hawker.migrations import upgrade_async

CHANNELS = ["live"] * 6 + ["video"] * 2 + ["replay", "link", "feed", "search", "direct"]
HOSTS, MERCHANTS, SHOWS = 40, 25, 200


def sale(order_id: int, day: datetime, span: float) -> dict[str, Any]:
    """A paid order: mostly live (200 shows of 40 hosts, each selling from three of the 25
    merchants), the rest from short videos, links, the feed, search or direct."""
    channel = random.choice(CHANNELS)
    show = order_id % SHOWS
    in_show = channel in ("live", "replay")
    return {
        "order_id": order_id,
        "host_id": 1 + show % HOSTS if channel not in ("search", "direct", "feed") else None,
        "merchant_id": 1 + (show * 7 + order_id % 3) % MERCHANTS,
        "show_id": 1 + show if in_show else None,
        "channel": channel,
        "currency": "USD",
        "net": 0 if order_id % 20 == 0 else random.randrange(500, 20_000),
        "paid_at": day + timedelta(seconds=random.random() * span),
        "last_event_id": order_id,
    }


async def seed(rt: Runtime, first: int, count: int) -> int:
    """Sales ``first`` .. ``first + count - 1`` paid since midnight, and their hour groups as
    the sales consumer keeps them (rebuilt in bulk here: same sums, fewer statements)."""
    day = start_of_day()
    span = max(3600.0, (utcnow() - day).total_seconds())
    rows = [sale(order_id, day, span) for order_id in range(first, first + count)]
    for i in range(0, len(rows), 5000):
        async with rt.db.write() as s:
            await s.execute(insert(Sale), rows[i : i + 5000])
    async with rt.db.write() as s:
        await s.execute(delete(SalesHour))
        groups: dict[tuple[Any, ...], list[int]] = {}
        for r in (await s.execute(select(Sale))).scalars():
            key = (hour_of(r.paid_at), r.currency, r.channel, r.host_id or 0, r.merchant_id,
                   r.show_id or 0)  # fmt: skip
            sums = groups.setdefault(key, [0, 0])
            sums[0] += r.net
            sums[1] += r.net > 0
        values = [
            dict(zip(GROUP, k, strict=True), net=v[0], orders=v[1]) for k, v in groups.items()
        ]
        for i in range(0, len(values), 5000):
            await s.execute(insert(SalesHour), values[i : i + 5000])
    return len(groups)


async def people(rt: Runtime) -> None:
    async with rt.db.write() as s:
        await s.execute(
            insert(User),
            [
                {
                    "id": i,
                    "email": f"h{i}@bench.dev",
                    "display_name": f"Host {i}",
                    "password_hash": "x",
                }
                for i in range(1, HOSTS + MERCHANTS + 1)
            ],
        )
        await s.execute(
            insert(Merchant),
            [
                {"id": i, "owner_id": HOSTS + i, "name": f"Merchant {i}"}
                for i in range(1, MERCHANTS + 1)
            ],
        )


async def timed(work: Awaitable[Any]) -> float:
    t0 = time.perf_counter()
    await work
    return (time.perf_counter() - t0) * 1000


async def read(rt: Runtime, query: Any) -> Any:
    async with rt.db.read() as s:
        return (await s.execute(query)).all()


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(prefix="hawker-bench-screen-"))
    settings = Settings(data_dir=data, database_url=args.database_url or "")
    await upgrade_async(settings.effective_database_url)
    rt = Runtime.from_settings(settings)
    rt.services["hub"] = RoomHub(rt)
    await people(rt)
    rows: list[dict[str, Any]] = []
    have = 0
    try:
        for target in sorted(args.sales):
            groups = await seed(rt, have + 1, target - have)
            have = target
            await snapshot(rt, None, "USD")  # warm
            per_currency = (
                select(Sale.currency, func.sum(Sale.net))
                .where(Sale.paid_at >= start_of_day())
                .group_by(Sale.currency)
            )
            frame, ceiling, naive = [], [], []
            for _ in range(args.runs):
                frame.append(await timed(snapshot(rt, None, "USD")))
                ceiling.append(await timed(read(rt, select(literal(1)))))
                naive.append(await timed(read(rt, per_currency)))
            f50, f99 = quantiles(frame)
            c50, n50 = quantiles(ceiling)[0], quantiles(naive)[0]
            rows.append(
                {
                    "sales": target,
                    "hour_groups": groups,
                    "frame_p50_ms": round(f50, 1),
                    "frame_p99_ms": round(f99, 1),
                    "ceiling_p50_ms": round(c50, 2),
                    "ratio": round(c50 / f50, 3),
                    "sales_sum_p50_ms": round(n50, 1),
                    "core_share": round(f50 / 1000, 3),  # one frame a second
                }
            )
            print(
                f"{target:>8} sales {groups:>6} groups | frame p50 {f50:7.1f} ms p99 "
                f"{f99:7.1f} ms | ceiling {c50:5.2f} ms | one sum over sales {n50:7.1f} ms",
                flush=True,
            )
    finally:
        await rt.close()
    backend = settings.effective_database_url.split(":", 1)[0].split("+", 1)[0]
    return {"backend": backend, "runs": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; SQLite without")
    args = parser.parse_args()
    random.seed(6)
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
