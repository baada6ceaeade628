"""Redis flash-deal stock wired into the app (scale-out), on SQLite + Redis: hundreds of
concurrent buyers over HTTP (in process), Redis flushed mid-sale, failing durable writes, a node
dying between Redis and the database, releases, and the reconcile job."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select, update

from hawker.accounts.service import do_create_api_token, do_create_user
from hawker.core.clock import clock
from hawker.core.config import Settings
from hawker.deals.models import DealBuyer, FlashDeal
from hawker.deals.stock import DealStock, deal_stock
from hawker.infra.inventory_redis import DealSnapshot, RedisInventory
from hawker.infra.runtime import Runtime
from tests.conftest import CHEAP_ARGON2, Api, assert_problem
from tests.deals.conftest import redis_test_url
from tests.deals.test_inventory import launch


@pytest.fixture
def settings(tmp_path: Path, redis_prefix: str, database_url: str) -> Settings:
    return Settings(  # type: ignore[arg-type]
        data_dir=tmp_path / "data",
        database_url=database_url,
        redis_url=redis_test_url(),
        redis_prefix=redis_prefix,
        **CHEAP_ARGON2,
    )


@pytest.fixture(autouse=True)
def _reset_clock() -> Any:
    yield
    clock.offset_seconds = 0


def stock_of(rt: Runtime) -> DealStock:
    stock = deal_stock(rt)
    assert stock is not None
    return stock


def both(run: Any, rt: Runtime, deal_id: int) -> tuple[DealSnapshot, DealSnapshot | None]:
    """The deal as the database has it, and as Redis has it."""
    stock = stock_of(rt)

    async def read() -> tuple[DealSnapshot, DealSnapshot | None]:
        db = await stock.read_snapshot(deal_id)
        assert db is not None
        return db, await stock.inventory.snapshot(deal_id)

    result: tuple[DealSnapshot, DealSnapshot | None] = run(read)
    return result


def db_deal(run: Any, rt: Runtime, deal_id: int) -> FlashDeal:
    async def read() -> FlashDeal:
        async with rt.db.read() as s:
            deal = await s.get(FlashDeal, deal_id)
            assert deal is not None
            return deal

    deal: FlashDeal = run(read)
    return deal


async def sign_in_buyers(rt: Runtime, n: int) -> list[str]:
    tag = uuid.uuid4().hex[:6]
    async with rt.db.write() as s:
        users = [
            await do_create_user(
                s, email=f"b{i}-{tag}@example.com", password="pw", display_name="b", roles=[]
            )
            for i in range(n)
        ]
        return [await do_create_api_token(s, u, "buyer") for u in users]


async def buy(http: httpx.AsyncClient, token: str, deal_id: int, q: int = 1) -> httpx.Response:
    return await http.post(
        "/api/orders",
        json={"items": [{"deal_id": deal_id, "quantity": q}]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )


def http_for(client: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client.app), base_url="http://testserver", timeout=120
    )


def test_hundreds_of_concurrent_buyers_on_one_hot_deal(
    client: Any, run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    """250 buyers fire 3 requests each at once for 60 units, limit 2: exactly the stock is
    reserved, nobody goes over the limit, and Redis ends equal to the database."""
    ctx = deal_show(stock=100)
    deal = launch(ctx, quantity=60, per_buyer_limit=2)

    async def sale() -> list[tuple[int, int, str]]:
        tokens = await sign_in_buyers(rt, 250)
        async with http_for(client) as http:

            async def attempt(i: int) -> tuple[int, int, str]:
                r = await buy(http, tokens[i % 250], deal["id"])
                return i % 250, r.status_code, r.json().get("code", "")

            return await asyncio.gather(*(attempt(i) for i in range(750)))

    results = run(sale)
    statuses = Counter(status for _, status, _ in results)
    assert statuses == {201: 60, 409: 690}, statuses
    assert {code for _, s, code in results if s == 409} <= {"deal_sold_out", "buyer_limit_exceeded"}
    assert max(Counter(b for b, s, _ in results if s == 201).values()) <= 2
    db, redis = both(run, rt, deal["id"])
    row = db_deal(run, rt, deal["id"])
    assert (row.available, row.reserved, row.sold) == (0, 60, 0)
    assert redis == db and sum(db.buyers.values()) == 60
    assert run(lambda: stock_of(rt).inventory.pending(deal["id"])) == 0


def test_redis_flushed_mid_sale_is_rebuilt_and_never_oversells(
    client: Any, run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    ctx = deal_show(stock=100)
    deal = launch(ctx, quantity=40, per_buyer_limit=1)
    stock = stock_of(rt)

    async def sale() -> tuple[int, Any]:
        tokens = await sign_in_buyers(rt, 300)
        async with http_for(client) as http:
            wave = [asyncio.create_task(buy(http, t, deal["id"])) for t in tokens[:150]]
            await asyncio.sleep(0.05)  # some bought, many queued or in flight
            await stock.inventory.client.flushdb()  # db 12 is this suite's own
            first = await asyncio.gather(*wave)
            await stock.reconcile()  # in-flight changes lost with the flush are re-synced
            second = await asyncio.gather(*(buy(http, t, deal["id"]) for t in tokens[150:]))
            return sum(r.status_code == 201 for r in first + second), first + second

    won, responses = run(sale)
    assert {r.status_code for r in responses} <= {201, 409}
    row = db_deal(run, rt, deal["id"])
    assert won == 40 and (row.available, row.reserved) == (0, 40)  # sale resumed, sold out
    assert row.available + row.reserved + row.sold == row.quantity  # no oversell
    run(stock.reconcile)
    db, redis = both(run, rt, deal["id"])
    assert redis == db


def test_the_replay_look_up_is_skipped_only_when_redis_knows_the_key_never_won(
    client: Any,
    run: Any,
    rt: Runtime,
    deal_show: Callable[..., dict[str, Any]],
    replay_look_ups: list[str],
    unit_look_ups: list[str],
) -> None:
    """Invariant: a retried purchase gets its first response back, even after the deal sold
    out. A deal loaded at launch knows every winning Idempotency-Key, so neither a new key's
    win nor its refusal needs a database look-up; a winner's retry (held again or refused),
    and every verdict on a deal rebuilt after Redis lost it, still look one up. A key spent on
    another order is unknown to the deal yet refused as reused (the unique key at commit)."""
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=3, per_buyer_limit=2)

    async def post(
        http: httpx.AsyncClient, token: str, key: str, item: dict[str, int] | None = None
    ) -> httpx.Response:
        return await http.post(
            "/api/orders",
            json={"items": [item or {"deal_id": deal["id"], "quantity": 1}]},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        )

    async def sale() -> None:
        tokens, stock = await sign_in_buyers(rt, 6), stock_of(rt)
        async with http_for(client) as http:
            spent = await post(http, tokens[5], "spent", {"sku_id": ctx["sku"], "quantity": 1})
            assert spent.status_code == 201, spent.text
            assert_problem(await post(http, tokens[5], "spent"), 422, "idempotency_key_reused")
            db, redis = (
                await stock.read_snapshot(deal["id"]),
                await stock.inventory.snapshot(deal["id"]),
            )
            assert db is not None and db.available == 3 and redis == db  # the units went back
            assert replay_look_ups == ["spent"] and unit_look_ups == ["spent"]  # the SKU order
            won = [await post(http, t, f"win-{i}") for i, t in enumerate(tokens[:2])]
            assert [r.status_code for r in won] == [201, 201]
            assert unit_look_ups == ["spent"]  # fresh keys on a fresh deal: none
            again = await post(http, tokens[0], "win-0")  # held again (limit 2): looks up
            assert (again.status_code, again.json()) == (201, won[0].json())
            assert unit_look_ups == ["spent", "win-0"]
            last = await post(http, tokens[2], "win-2")
            assert last.status_code == 201, last.text
            for i, t in enumerate(tokens[3:5]):  # the crowd after the sell-out: new keys
                assert_problem(await post(http, t, f"late-{i}"), 409, "deal_sold_out")
            assert replay_look_ups == ["spent"] and unit_look_ups == ["spent", "win-0"]
            again = await post(http, tokens[1], "win-1")  # a winner retries, refused in Redis
            assert (again.status_code, again.json()) == (201, won[1].json())
            assert replay_look_ups == ["spent", "win-1"]
            await stock.inventory.client.delete(*stock.inventory.keys(deal["id"]))
            assert_problem(await post(http, tokens[4], "late-rebuilt"), 409, "deal_sold_out")
            assert replay_look_ups[2:] == ["late-rebuilt"]  # rebuilt: the keys are unknown
            again = await post(http, tokens[2], "win-2")
            assert (again.status_code, again.json()) == (201, last.json())

    run(sale)
    row = db_deal(run, rt, deal["id"])
    assert (row.available, row.reserved) == (0, 3)


def test_failing_durable_write_gives_the_redis_units_back(
    client: Any,
    run: Any,
    rt: Runtime,
    deal_show: Callable[..., dict[str, Any]],
    make_user: Callable[..., Api],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hawker.orders import service as orders

    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=5, per_buyer_limit=2)
    buyer = make_user()
    real = orders.do_place_order

    async def crash_after_reserving(*args: Any, **kw: Any) -> Any:
        await real(*args, **kw)
        raise RuntimeError("database went away mid-write")

    monkeypatch.setattr(orders, "do_place_order", crash_after_reserving)
    body = {"items": [{"deal_id": deal["id"], "quantity": 2}]}
    with pytest.raises(RuntimeError):
        buyer.post("/api/orders", json=body, headers={"Idempotency-Key": "k1"})
    monkeypatch.undo()
    db, redis = both(run, rt, deal["id"])
    assert redis == db and db.available == 5 and not db.buyers  # nothing kept anywhere

    # Redis wrong (deal ended in the database only): the database refuses, Redis gives back.
    async def end_in_database_only() -> None:
        async with rt.db.write() as s:
            await s.execute(update(FlashDeal).values(status="ended", available=0))

    run(end_in_database_only)
    r = buyer.post("/api/orders", json=body, headers={"Idempotency-Key": "k2"})
    assert_problem(r, 409, "deal_not_live")
    _, redis = both(run, rt, deal["id"])
    assert redis is not None and (redis.available, redis.buyers, redis.live) == (5, {}, True)
    run(stock_of(rt).reconcile)
    _, redis = both(run, rt, deal["id"])
    assert redis is not None and (redis.available, redis.live) == (0, False)


def test_a_node_dying_between_redis_and_the_database_is_repaired_by_reconcile(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=3, per_buyer_limit=3, duration_seconds=3600)
    stock = stock_of(rt)
    dead = run(lambda: stock.hold(deal["id"], 999, 3))  # the node dies right after this
    assert dead is not None
    done = run(stock.reconcile)
    assert (done.busy, done.resynced) == (1, 0)  # in flight: not raced
    _, redis = both(run, rt, deal["id"])
    assert redis is not None and redis.available == 0
    clock.offset_seconds = stock.inventory.grace_ms / 1000 + 1  # its node is presumed dead
    done = run(stock.reconcile)
    assert (done.resynced, done.drift) == (1, 3)
    db, redis = both(run, rt, deal["id"])
    assert redis == db and db.available == 3
    assert run(lambda: stock.inventory.cancel(dead)) is False  # a late compensation is a no-op


def test_cancel_expiry_and_deal_end_reach_redis(
    run: Any,
    rt: Runtime,
    deal_show: Callable[..., dict[str, Any]],
    make_user: Callable[..., Api],
) -> None:
    from hawker.deals.jobs import end_due_deals
    from hawker.orders.jobs import expire_due_orders

    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=4, per_buyer_limit=2, duration_seconds=3000)
    a, b = make_user(), make_user()
    body = {"items": [{"deal_id": deal["id"], "quantity": 2}]}
    order_a = a.post("/api/orders", json=body, headers={"Idempotency-Key": "a"}).json()
    b.post("/api/orders", json=body, headers={"Idempotency-Key": "b"})
    assert_problem(
        make_user().post("/api/orders", json=body, headers={"Idempotency-Key": "c"}),
        409,
        "deal_sold_out",
    )
    assert a.post(f"/api/orders/{order_a['id']}/cancel").status_code == 200
    db, redis = both(run, rt, deal["id"])
    assert redis == db and db.available == 2 and db.buyers == {b.user["id"]: 2}
    clock.offset_seconds = rt.settings.reservation_ttl_seconds + 1
    assert run(lambda: expire_due_orders(rt)) == 1
    db, redis = both(run, rt, deal["id"])
    assert redis == db and db.available == 4 and not db.buyers
    clock.offset_seconds = 3001
    assert run(lambda: end_due_deals(rt)) == 1
    db, redis = both(run, rt, deal["id"])
    assert redis == db and not db.live and db.available == 0


def test_refusals_from_redis_never_reach_the_database(
    run: Any,
    rt: Runtime,
    deal_show: Callable[..., dict[str, Any]],
    make_user: Callable[..., Api],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=1, per_buyer_limit=1)
    winner, other = make_user(), make_user()
    body = {"items": [{"deal_id": deal["id"], "quantity": 1}]}
    first = winner.post("/api/orders", json=body, headers={"Idempotency-Key": "w"})
    assert first.status_code == 201

    def no_writes() -> Any:
        raise AssertionError("a refusal opened a write unit")

    monkeypatch.setattr(rt.db, "write", no_writes)
    assert_problem(
        other.post("/api/orders", json=body, headers={"Idempotency-Key": "x"}),
        409,
        "deal_sold_out",
    )
    assert_problem(
        winner.post(
            "/api/orders", json=body | {"channel": "live"}, headers={"Idempotency-Key": "y"}
        ),
        409,
    )
    # the winner's retry still gets its order back (a replay, read-only)
    again = winner.post("/api/orders", json=body, headers={"Idempotency-Key": "w"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]


def test_database_counters_match_redis_after_rebuild(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=6, per_buyer_limit=3)
    buyer = make_user()
    buyer.post(
        "/api/orders",
        json={"items": [{"deal_id": deal["id"], "quantity": 3}]},
        headers={"Idempotency-Key": "1"},
    )
    stock = stock_of(rt)
    run(lambda: stock.inventory.client.delete(*stock.inventory.keys(deal["id"])))
    r = buyer.post(  # lost, rebuilt from the database: the buyer's share is remembered
        "/api/orders",
        json={"items": [{"deal_id": deal["id"], "quantity": 1}]},
        headers={"Idempotency-Key": "2"},
    )
    assert_problem(r, 409, "buyer_limit_exceeded")

    async def buyers_in_db() -> dict[int, int]:
        async with rt.db.read() as s:
            rows = await s.execute(select(DealBuyer.buyer_id, DealBuyer.quantity))
            return {row.buyer_id: row.quantity for row in rows}

    db, redis = both(run, rt, deal["id"])
    assert redis == db and redis.buyers == run(buyers_in_db) == {buyer.user["id"]: 3}


def test_one_node_rebuilds_a_lost_deal_while_the_others_wait(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three "nodes" (engines on the same Redis) and 150 buyers arrive at a deal Redis lost:
    the database is read for it once, and every buyer is then decided by Redis."""
    ctx = deal_show(stock=200)
    deal = launch(ctx, quantity=100, per_buyer_limit=1, duration_seconds=3600)
    stock = stock_of(rt)
    reads = 0
    real = DealStock.read_snapshot

    async def counted(self: DealStock, deal_id: int, launch: bool = False) -> DealSnapshot | None:
        nonlocal reads
        reads += 1
        await asyncio.sleep(0.05)  # a slow database makes the others wait on the lock
        return await real(self, deal_id, launch=launch)

    monkeypatch.setattr(DealStock, "read_snapshot", counted)

    async def scenario() -> Counter[str]:
        nodes = [
            DealStock(RedisInventory.from_url(redis_test_url(), stock.inventory.prefix), rt.db)
            for _ in range(3)
        ]
        await stock.inventory.client.delete(*stock.inventory.keys(deal["id"]))
        try:
            outcomes = await asyncio.gather(
                *(nodes[i % 3].hold(deal["id"], 10_000 + i, 1) for i in range(150)),
                return_exceptions=True,
            )
        finally:
            for node in nodes:
                await node.inventory.aclose()
        return Counter(type(o).__name__ for o in outcomes)

    assert run(scenario) == {"Hold": 100, "DealSoldOut": 50}
    assert reads == 1


def test_a_request_that_dies_before_its_write_gives_the_units_back(
    client: Any, run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    """The buyer took units in Redis and queued for the database; the request is cancelled
    (client gone) before its write: the units go back."""
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=5, per_buyer_limit=2)
    stock = stock_of(rt)

    async def scenario() -> tuple[int, int, int]:
        (token,) = await sign_in_buyers(rt, 1)
        async with http_for(client) as http, rt.db.write() as s:
            # SQLite: the write lock is busy; PostgreSQL: the deal row is (its update waits)
            await s.execute(select(FlashDeal).where(FlashDeal.id == deal["id"]).with_for_update())
            request = asyncio.create_task(buy(http, token, deal["id"], 2))
            for _ in range(500):  # until Redis holds its units
                if await stock.inventory.pending(deal["id"]):
                    break
                await asyncio.sleep(0.01)
            taken = await stock.inventory.snapshot(deal["id"])
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await request
        after = await stock.inventory.snapshot(deal["id"])
        assert taken is not None and after is not None
        return taken.available, after.available, await stock.inventory.pending(deal["id"])

    assert run(scenario) == (3, 5, 0)
    db, redis = both(run, rt, deal["id"])
    assert redis == db and not db.buyers
