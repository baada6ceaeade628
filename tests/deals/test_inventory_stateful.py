"""Property test of invariant 1: under any sequence of reserve / pay / cancel / expire / deal
launch and end / restock, the counters add up and nothing is ever oversold."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from hawker.accounts.models import User, UserRole
from hawker.catalog.models import Merchant, Product, Sku
from hawker.catalog.service import do_change_stock
from hawker.core.clock import clock, utcnow
from hawker.core.db import Database
from hawker.core.errors import HawkerError
from hawker.deals import service
from hawker.deals.models import DealBuyer, FlashDeal, Reservation
from hawker.live.models import Show, ShowProduct

T = TypeVar("T")
INITIAL_STOCK = 12
BUYERS = 2


class Inventory(RuleBasedStateMachine):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.db = Database(database_url, pool_size=2)
        self.restocked = 0
        self.run(self._seed())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    async def _seed(self) -> None:
        async with self.db.write() as s:
            people = [
                User(email=f"u{i}@example.com", display_name=f"u{i}", password_hash="x")
                for i in range(BUYERS + 2)
            ]
            s.add_all(people)
            await s.flush()
            self.merchant_user, self.host = people[0], people[1]
            self.buyers = [p.id for p in people[2:]]
            s.add_all(
                [
                    UserRole(user_id=self.merchant_user.id, role="merchant"),
                    UserRole(user_id=self.host.id, role="host"),
                ]
            )
            merchant = Merchant(owner_id=self.merchant_user.id, name="m")
            s.add(merchant)
            await s.flush()
            product = Product(merchant_id=merchant.id, title="p")
            product.skus = [
                Sku(
                    name="s",
                    price=1000,
                    currency="USD",
                    available=INITIAL_STOCK,
                    reserved=0,
                    sold=0,
                )
            ]
            s.add(product)
            await s.flush()
            self.sku_id = product.skus[0].id
            show = Show(host_id=self.host.id, title="s", scheduled_start=utcnow(), status="live")
            s.add(show)
            await s.flush()
            self.show_id = show.id
            s.add(ShowProduct(show_id=show.id, product_id=product.id, position=0))
        async with self.db.read() as s:  # reload with roles for permission checks
            self.merchant_user = await s.get_one(User, self.merchant_user.id)
            self.host = await s.get_one(User, self.host.id)

    async def _attempt(self, fn: Any) -> Any:
        try:
            async with self.db.write() as s:
                return await fn(s)
        except HawkerError:
            return None  # refused, and the rollback undid any partial effect

    async def _ids(self, stmt: Any) -> list[int]:
        async with self.db.read() as s:
            return list(await s.scalars(stmt))

    @rule(buyer=st.integers(0, BUYERS - 1), quantity=st.integers(1, 5))
    def reserve_sku(self, buyer: int, quantity: int) -> None:
        self.run(
            self._attempt(
                lambda s: service.do_reserve_sku(
                    s,
                    buyer_id=self.buyers[buyer],
                    sku_id=self.sku_id,
                    quantity=quantity,
                    ttl_seconds=60,
                )
            )
        )

    @initialize(quantity=st.integers(1, 8), limit=st.integers(1, 3))
    def first_deal(self, quantity: int, limit: int) -> None:
        """Every run starts with a live deal, so short runs exercise the deal paths too."""
        self.launch_deal(quantity, limit)

    @rule(quantity=st.integers(1, 8), limit=st.integers(1, 3))
    def launch_deal(self, quantity: int, limit: int) -> None:
        self.run(
            self._attempt(
                lambda s: service.do_launch_deal(
                    s,
                    self.host,
                    show_id=self.show_id,
                    sku_id=self.sku_id,
                    deal_price=500,
                    quantity=quantity,
                    per_buyer_limit=min(limit, quantity),
                    duration_seconds=300,
                )
            )
        )

    @rule(
        buyer=st.integers(0, BUYERS - 1),
        quantity=st.integers(1, 3),
        pick=st.randoms(),
        tries=st.integers(1, 4),
    )
    def reserve_deal(self, buyer: int, quantity: int, pick: Any, tries: int) -> None:
        """One buyer tapping Buy up to four times in a row: presses on the per-buyer limit."""
        live = self.run(self._ids(select(FlashDeal.id).where(FlashDeal.status == "live")))
        deals = live or self.run(self._ids(select(FlashDeal.id)))  # ended ones must refuse
        if not deals:
            return
        deal_id = pick.choice(deals)
        for _ in range(tries):
            self.run(
                self._attempt(
                    lambda s: service.do_reserve_deal(
                        s,
                        buyer_id=self.buyers[buyer],
                        deal_id=deal_id,
                        quantity=quantity,
                        ttl_seconds=60,
                    )
                )
            )

    @rule(pick=st.randoms())
    def pay(self, pick: Any) -> None:
        held = self.run(self._ids(select(Reservation.id)))
        if held:
            rid = pick.choice(held)
            self.run(self._attempt(lambda s: service.do_settle(s, rid)))

    @rule(pick=st.randoms())
    def cancel(self, pick: Any) -> None:
        held = self.run(self._ids(select(Reservation.id)))
        if held:
            rid = pick.choice(held)
            self.run(self._attempt(lambda s: service.do_release(s, rid)))

    @rule(seconds=st.sampled_from([10, 45, 70]))
    def time_passes_and_expiry_runs(self, seconds: int) -> None:
        clock.offset_seconds += seconds
        due = self.run(
            self._ids(
                select(Reservation.id).where(
                    Reservation.state == "held", Reservation.expires_at <= utcnow()
                )
            )
        )
        for rid in due:
            self.run(self._attempt(lambda s, rid=rid: service.do_release(s, rid, state="expired")))
        self.run(self._attempt(lambda s: service.do_end_due_deals(s, utcnow())))

    @rule(pick=st.randoms())
    def end_deal(self, pick: Any) -> None:
        deals = self.run(self._ids(select(FlashDeal.id)))
        if deals:
            deal_id = pick.choice(deals)
            self.run(self._attempt(lambda s: service.do_end_deal(s, deal_id, reason="ended")))

    @precondition(lambda self: self.restocked < 20)
    @rule(delta=st.integers(-4, 6).filter(bool))
    def restock(self, delta: int) -> None:
        changed = self.run(
            self._attempt(lambda s: do_change_stock(s, self.merchant_user, self.sku_id, delta))
        )
        if changed is not None:
            self.restocked += delta

    @invariant()
    def counters_add_up(self) -> None:
        self.run(self._check())

    async def _check(self) -> None:
        async with self.db.read() as s:
            sku = await s.get_one(Sku, self.sku_id)
            deals = list(await s.scalars(select(FlashDeal)))
            reservations = list(await s.scalars(select(Reservation)))
            buyers = list(await s.scalars(select(DealBuyer)))
            lent = sum(d.quantity - d.returned for d in deals)
        stock = INITIAL_STOCK + self.restocked
        assert min(sku.available, sku.reserved, sku.sold) >= 0
        assert sku.available + sku.reserved + sku.sold + lent == stock
        assert sku.sold + sku.reserved + sum(d.sold + d.reserved for d in deals) <= stock
        assert sum(d.status == "live" for d in deals) <= 1  # one live deal per SKU

        def total(state: str, deal_id: int | None) -> int:
            return sum(
                r.quantity for r in reservations if r.state == state and r.deal_id == deal_id
            )

        assert sku.reserved == total("held", None) and sku.sold == total("paid", None)
        for d in deals:
            assert min(d.available, d.reserved, d.sold, d.returned) >= 0
            assert d.available + d.reserved + d.sold + d.returned == d.quantity
            assert d.sold + d.reserved <= d.quantity  # invariant 1 for the deal
            assert d.reserved == total("held", d.id) and d.sold == total("paid", d.id)
            if d.status == "ended":
                assert d.available == 0
        for b in buyers:
            deal = next(d for d in deals if d.id == b.deal_id)
            live = sum(
                r.quantity
                for r in reservations
                if r.deal_id == b.deal_id
                and r.buyer_id == b.buyer_id
                and r.state in ("held", "paid")
            )
            assert b.quantity == live <= deal.per_buyer_limit

    def teardown(self) -> None:
        clock.offset_seconds = 0
        self.run(self.db.dispose())
        self.loop.close()


def test_counters_add_up_under_any_sequence(new_database: Callable[[], str]) -> None:
    """Each example starts on an empty database of its own on this test's backend."""
    run_state_machine_as_test(
        lambda: Inventory(new_database()),
        settings=settings(max_examples=50, database=None, stateful_step_count=30, deadline=None),
    )
