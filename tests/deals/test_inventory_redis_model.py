"""The Lua stock engine against a model: any sequence of reservations (alone or batched by
concurrent callers), confirms, compensations, releases (committed or rolled back, applied
twice), deal end, lost Redis state and re-syncs leaves Redis exactly where the model says, and
verdicts carry the model's reason and say whether their Idempotency-Key may have won before."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from hawker.infra.inventory_redis import Attempt, DealSnapshot, Hold, RedisInventory, Verdict
from tests.deals.conftest import redis_test_url

T = TypeVar("T")
DEAL, UNITS, LIMIT = 7, 8, 3
NOW, ENDS = 1_000_000, 2_000_000
KEY = st.sampled_from(["k1", "k2", "k3", "k4"])  # Idempotency-Key tokens, reused on purpose
REQUEST = st.tuples(st.integers(1, 3), st.integers(1, 4), st.booleans(), KEY)


class Engine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.inv = RedisInventory.from_url(redis_test_url(), f"test:{uuid.uuid4().hex[:10]}:")
        self.available, self.live = UNITS, True
        self.buyers: Counter[int] = Counter()
        self.in_flight: list[Hold] = []  # taken in Redis, not yet confirmed
        self.durable: list[Hold] = []  # confirmed: the database has them
        self.spent: list[Hold] = []  # confirmed, compensated or forgotten: must not apply again
        self.fresh = True  # loaded at launch; a rebuild after a loss is not
        self.won: set[str] = set()  # keys that took units since the launch

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def database(self) -> DealSnapshot:
        """What the database would hold: everything but the units still in flight."""
        flying = Counter[int]()
        for h in self.in_flight:
            flying[h.buyer_id] += h.quantity
        available = self.available + sum(flying.values()) if self.live else 0
        buyers = {b: q - flying[b] for b, q in self.buyers.items() if q - flying[b] > 0}
        return DealSnapshot(DEAL, available, LIMIT, ENDS, self.live, buyers, self.fresh)

    @initialize()
    def load(self) -> None:
        assert self.run(self.inv.load(self.database()))
        assert not self.run(self.inv.load(self.database()))  # loaded once

    @rule(request=REQUEST)
    def reserve(self, request: tuple[int, int, bool, str]) -> None:
        buyer, quantity, late, key = request
        attempt = self.run(self.inv.reserve(DEAL, buyer, quantity, ENDS if late else NOW, key))
        self.expect(request, attempt)

    @rule(requests=st.lists(REQUEST, min_size=2, max_size=8))
    def reserve_together(self, requests: list[tuple[int, int, bool, str]]) -> None:
        """Concurrent callers: the first goes alone, the rest wait and go as one batch; each
        gets the verdict it would get alone, in arrival order."""

        async def together() -> list[Attempt]:
            return await asyncio.gather(
                *(
                    self.inv.reserve(DEAL, b, q, ENDS if late else NOW, k)
                    for b, q, late, k in requests
                )
            )

        for request, attempt in zip(requests, self.run(together()), strict=True):
            self.expect(request, attempt)

    def expect(self, request: tuple[int, int, bool, str], attempt: Attempt) -> None:
        buyer, quantity, late, key = request
        # a retry of a winner must look up its order, refused or held again
        may_replay = not self.fresh or key in self.won
        if not self.live or late:
            expected = Verdict.NOT_LIVE
        elif quantity > LIMIT:
            expected = Verdict.OVER_LIMIT
        elif self.available < quantity:
            expected = Verdict.SOLD_OUT
        elif self.buyers[buyer] + quantity > LIMIT:
            expected = Verdict.OVER_LIMIT
        else:
            expected = Verdict.HELD
            self.available -= quantity
            self.buyers[buyer] += quantity
            self.won.add(key)
        assert attempt.verdict is expected
        assert attempt.left == self.available
        assert attempt.may_replay == may_replay
        if attempt.hold is not None:
            assert attempt.hold.may_replay == may_replay
            self.in_flight.append(attempt.hold)

    @precondition(lambda self: self.in_flight)
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        hold = self.in_flight.pop(data.draw(st.integers(0, len(self.in_flight) - 1)))
        self.run(self.inv.confirm(hold))
        self.durable.append(hold)
        self.spent.append(hold)

    @precondition(lambda self: self.in_flight or self.spent)
    @rule(data=st.data())
    def compensate(self, data: st.DataObject) -> None:
        holds = self.in_flight + self.spent
        i = data.draw(st.integers(0, len(holds) - 1))
        was_in_flight = i < len(self.in_flight)
        assert self.run(self.inv.cancel(holds[i])) is was_in_flight
        if was_in_flight:
            hold = self.in_flight.pop(i)
            self.spent.append(hold)
            self.buyers[hold.buyer_id] -= hold.quantity
            if self.live:
                self.available += hold.quantity

    @precondition(lambda self: self.durable)
    @rule(data=st.data(), committed=st.booleans())
    def release(self, data: st.DataObject, committed: bool) -> None:
        hold = self.durable[data.draw(st.integers(0, len(self.durable) - 1))]
        intent = self.run(self.inv.intend_release(DEAL, hold.buyer_id, hold.quantity, NOW))
        assert self.run(self.inv.pending(DEAL)) == len(self.in_flight) + 1
        if not committed:
            self.run(self.inv.withdraw(intent))
            return
        for _ in range(2):  # a second delivery changes nothing
            self.run(self.inv.apply_release(intent, back_on_sale=self.live))
        self.durable.remove(hold)
        self.buyers[hold.buyer_id] -= hold.quantity
        if self.live:
            self.available += hold.quantity

    @rule()
    def end(self) -> None:
        self.run(self.inv.end(DEAL))
        self.live, self.available = False, 0

    @rule()
    def lose_state(self) -> None:
        """FLUSHDB or a failover: refused until rebuilt from the database; what was in flight
        is forgotten (the database decides it)."""
        self.run(self.inv.client.delete(*self.inv.keys(DEAL)))
        assert self.run(self.inv.reserve(DEAL, 1, 1, NOW)).verdict is Verdict.NOT_LOADED
        self.fresh = False
        truth = self.database()
        assert self.run(self.inv.load(truth))
        self.available, self.buyers = truth.available, Counter(truth.buyers)
        self.spent += self.in_flight
        self.in_flight = []

    @rule()
    def resync(self) -> None:
        sweep = self.run(self.inv.sweep(DEAL, NOW))
        assert sweep.ready and sweep.pending == len(self.in_flight) and not sweep.purged
        drift = self.run(self.inv.resync(self.database(), sweep.ops))
        # refused while anything is in flight; otherwise Redis already equals the database
        assert drift == (None if self.in_flight else 0)

    @invariant()
    def redis_matches_the_model(self) -> None:
        snap = self.run(self.inv.snapshot(DEAL))
        assert snap is not None
        assert (snap.available, snap.live) == (self.available, self.live)
        assert snap.buyers == {b: q for b, q in self.buyers.items() if q}
        assert all(q <= LIMIT for q in snap.buyers.values())
        assert self.run(self.inv.pending(DEAL)) == len(self.in_flight)

    def teardown(self) -> None:
        self.run(self.inv.client.delete(*self.inv.keys(DEAL)))
        self.run(self.inv.aclose())
        self.loop.close()


TestEngine = Engine.TestCase
TestEngine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
