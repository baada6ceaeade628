"""Batched reservations (group commit) in the Lua stock engine: a batch decides and writes
exactly what the same requests reserved one at a time would; hundreds of concurrent callers on
two nodes take exactly the stock, nobody over the limit; a caller that gives up keeps nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hawker.infra.inventory_redis import (
    Attempt,
    DealSnapshot,
    InventoryUnavailable,
    RedisInventory,
    ReserveRequest,
    Verdict,
)
from tests.deals.conftest import redis_test_url

NOW, ENDS = 1_000_000, 2_000_000


class Recording(RedisInventory):
    """Counts the script runs and can hold them at a gate, to see and steer the batching."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.batches: list[int] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = asyncio.Event()

    async def reserve_many(self, deal_id: int, requests: Sequence[ReserveRequest]) -> list[Attempt]:
        self.batches.append(len(requests))
        self.waiting.set()
        await self.gate.wait()
        return await super().reserve_many(deal_id, requests)


@asynccontextmanager
async def node(**kw: Any) -> AsyncIterator[Recording]:
    """One node's engine under a fresh key prefix, its keys deleted afterwards."""
    inv = Recording.from_url(redis_test_url(), f"test:{uuid.uuid4().hex[:10]}:", **kw)
    try:
        yield inv
    finally:
        keys = [k async for k in inv.client.scan_iter(f"{inv.prefix}*")]
        if keys:
            await inv.client.delete(*keys)
        await inv.aclose()


def same_prefix(a: RedisInventory) -> Recording:
    """A second node on the same deals (its own connection pool and batches)."""
    return Recording.from_url(redis_test_url(), a.prefix)


async def ops(inv: RedisInventory, deal_id: int) -> int:
    value = await inv.client.hget(inv.keys(deal_id)[0], "ops")
    assert value is not None
    return int(value)


deals = st.builds(
    lambda available, limit, live, buyers: DealSnapshot(1, available, limit, ENDS, live, buyers),
    st.integers(0, 12),
    st.integers(1, 4),
    st.booleans(),
    st.dictionaries(st.integers(1, 4), st.integers(1, 4), max_size=3),
)
requests = st.lists(
    st.builds(
        ReserveRequest,
        buyer_id=st.integers(1, 4),
        quantity=st.integers(1, 5),
        now_ms=st.sampled_from([NOW, ENDS - 1, ENDS, ENDS + 1]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=120, deadline=None)
@given(deal=deals, batch=requests, loaded=st.booleans())
def test_a_batch_equals_the_same_requests_one_at_a_time(
    deal: DealSnapshot, batch: list[ReserveRequest], loaded: bool
) -> None:
    """Two copies of a deal: one takes the requests as one script run, the other one run per
    request (the single-item script). Verdicts, units left after each, the final state, the
    in-flight entries and the change counter all agree; an unloaded deal refuses them all
    with NOT_LOADED and writes nothing."""

    async def compare() -> None:
        async with node() as inv:
            together, alone = 1, 2
            if loaded:
                for deal_id in (together, alone):
                    assert await inv.load(DealSnapshot(deal_id, *_fields(deal)))
                before = await ops(inv, together), await ops(inv, alone)
            batched = await inv.reserve_many(together, batch)
            one_by_one = [(await inv.reserve_many(alone, [r]))[0] for r in batch]
            assert [(a.verdict, a.left) for a in batched] == [
                (a.verdict, a.left) for a in one_by_one
            ]
            assert all((a.hold is not None) == (a.verdict is Verdict.HELD) for a in batched)
            if not loaded:
                assert {a.verdict for a in batched} == {Verdict.NOT_LOADED}
                assert not [k async for k in inv.client.scan_iter(f"{inv.prefix}*")]
                return
            a, b = await inv.snapshot(together), await inv.snapshot(alone)
            assert a is not None and b is not None
            assert _fields(a) == _fields(b)
            assert await inv.pending(together) == await inv.pending(alone)
            assert await inv.pending(together) == sum(x.hold is not None for x in batched)
            after = await ops(inv, together), await ops(inv, alone)
            assert after[0] - before[0] == after[1] - before[1]
            expiry = [[min(await inv.client.pttl(k), 1) for k in inv.keys(d)] for d in (1, 2)]
            assert expiry[0] == expiry[1] and -1 not in expiry[0]  # what exists expires

    asyncio.run(compare())


def _fields(s: DealSnapshot) -> tuple[Any, ...]:
    return s.available, s.per_buyer_limit, s.ends_at_ms, s.live, s.buyers


def test_hundreds_of_concurrent_callers_on_two_nodes_take_exactly_the_stock() -> None:
    """600 concurrent reserve() calls by 200 buyers (1 or 2 units, limit 3) on two nodes for
    150 units: exactly 150 held, nobody over the limit, Redis agrees with the holds, and the
    calls went out in batches (far fewer script runs than reservations)."""

    async def sale() -> None:
        async with node() as a:
            b = same_prefix(a)
            try:
                await a.load(DealSnapshot(1, 150, 3, ENDS, True))

                async def buy(i: int) -> tuple[int, int, Attempt]:
                    buyer, quantity = i % 200, 1 + i % 2
                    engine = a if i % 2 else b
                    return buyer, quantity, await engine.reserve(1, buyer, quantity, NOW)

                results = await asyncio.gather(*(buy(i) for i in range(600)))
            finally:
                await b.aclose()
            held = Counter[int]()
            for buyer, quantity, attempt in results:
                assert attempt.verdict in {Verdict.HELD, Verdict.SOLD_OUT, Verdict.OVER_LIMIT}
                if attempt.hold is not None:
                    held[buyer] += quantity
            assert sum(held.values()) == 150
            assert max(held.values()) <= 3
            snap = await a.snapshot(1)
            assert snap is not None and snap.available == 0 and snap.buyers == dict(held)
            assert await a.pending(1) == sum(r[2].hold is not None for r in results)
            runs = len(a.batches) + len(b.batches)
            assert sum(a.batches) + sum(b.batches) == 600 and runs < 100, (a.batches, b.batches)
            assert max(a.batches + b.batches) <= 128

    asyncio.run(sale())


def test_max_batch_bounds_every_script_run() -> None:
    async def sale() -> None:
        async with node(max_batch=7) as inv:
            await inv.load(DealSnapshot(1, 1000, 1, ENDS, True))
            attempts = await asyncio.gather(*(inv.reserve(1, i, 1, NOW) for i in range(100)))
            assert all(a.verdict is Verdict.HELD for a in attempts)
            assert max(inv.batches) == 7 and sum(inv.batches) == 100
            assert [a.left for a in attempts] == list(range(999, 899, -1))  # arrival order

    asyncio.run(sale())


def test_a_caller_that_gives_up_keeps_no_units() -> None:
    """One caller gives up while its batch is in flight (its units are given back, once);
    another gives up while still queued (it is never sent)."""

    async def sale() -> None:
        async with node() as inv:
            await inv.load(DealSnapshot(1, 5, 2, ENDS, True))
            before = await ops(inv, 1)
            inv.gate.clear()
            in_flight = asyncio.create_task(inv.reserve(1, 1, 2, NOW))
            await inv.waiting.wait()
            queued = asyncio.create_task(inv.reserve(1, 2, 2, NOW))
            await asyncio.sleep(0)
            in_flight.cancel()
            queued.cancel()
            inv.gate.set()
            for _ in range(500):  # the give-back runs after the batch returns
                if await ops(inv, 1) == before + 2:
                    break
                await asyncio.sleep(0.01)
            assert in_flight.cancelled() and queued.cancelled()
            assert inv.batches == [1]  # the queued caller never left
            snap = await inv.snapshot(1)
            assert snap is not None and (snap.available, snap.buyers) == (5, {})
            assert await inv.pending(1) == 0
            assert await ops(inv, 1) == before + 2  # taken, then given back

    asyncio.run(sale())


def test_redis_unreachable_fails_every_caller_of_the_batch() -> None:
    async def sale() -> None:
        inv = RedisInventory.from_url("redis://127.0.0.1:1/0", "test:")
        try:
            results = await asyncio.gather(
                *(inv.reserve(1, i, 1, NOW) for i in range(50)), return_exceptions=True
            )
        finally:
            await inv.aclose()
        assert all(isinstance(r, InventoryUnavailable) for r in results), results

    asyncio.run(sale())


@pytest.mark.parametrize("max_batch", [0, -1])
def test_max_batch_must_be_positive(max_batch: int) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        RedisInventory.from_url("redis://127.0.0.1:1/0", "test:", max_batch=max_batch)
