"""The inventory engine on a real database: reserve, settle, release, limits, deal lifecycle."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from hawker.accounts.service import do_create_user
from hawker.catalog.models import Sku
from hawker.core.clock import clock
from hawker.deals import service
from hawker.deals.errors import (
    BuyerLimitExceeded,
    DealNotLive,
    DealSoldOut,
    OutOfStock,
    ReservationExpired,
    ReservationNotHeld,
)
from hawker.deals.gate import SoldOutGate, sold_out_gate
from hawker.deals.models import FlashDeal
from hawker.infra.runtime import Runtime
from tests.conftest import Api, assert_problem


@pytest.fixture(autouse=True)
def _reset_clock() -> Any:
    yield
    clock.offset_seconds = 0


def launch(ctx: dict[str, Any], **over: Any) -> dict[str, Any]:
    body = {
        "sku_id": ctx["sku"],
        "deal_price": 990,
        "quantity": 10,
        "per_buyer_limit": 2,
        "duration_seconds": 60,
    } | over
    r = ctx["host"].post(f"/api/shows/{ctx['show']['id']}/deals", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def counters(run: Any, rt: Runtime, sku_id: int, deal_id: int | None = None) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        async with rt.db.read() as s:
            sku = await s.get(Sku, sku_id)
            out: dict[str, Any] = {"sku": (sku.available, sku.reserved, sku.sold)}
            if deal_id:
                d = await s.get(FlashDeal, deal_id)
                out["deal"] = (d.available, d.reserved, d.sold, d.returned)
            return out

    result: dict[str, Any] = run(read)
    return result


def test_sku_reserve_settle_and_release(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    sku = deal_show(stock=5)["sku"]

    async def scenario() -> None:
        async with rt.db.write() as s:
            a = await service.do_reserve_sku(s, buyer_id=1, sku_id=sku, quantity=3, ttl_seconds=60)
            b = await service.do_reserve_sku(s, buyer_id=2, sku_id=sku, quantity=2, ttl_seconds=60)
        with pytest.raises(OutOfStock):
            async with rt.db.write() as s:
                await service.do_reserve_sku(s, buyer_id=3, sku_id=sku, quantity=1, ttl_seconds=60)
        async with rt.db.write() as s:
            assert (await service.do_settle(s, a.id)).state == "paid"
            assert (await service.do_release(s, b.id)).state == "released"  # type: ignore[union-attr]
            assert await service.do_release(s, b.id) is None  # at most once
        with pytest.raises(ReservationNotHeld):
            async with rt.db.write() as s:
                await service.do_settle(s, b.id)

    run(scenario)
    assert counters(run, rt, sku)["sku"] == (2, 0, 3)


def test_expired_reservation_cannot_be_paid(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    sku = deal_show(stock=5)["sku"]

    async def scenario() -> None:
        async with rt.db.write() as s:
            r = await service.do_reserve_sku(s, buyer_id=1, sku_id=sku, quantity=2, ttl_seconds=60)
        clock.offset_seconds = 61
        with pytest.raises(ReservationExpired):
            async with rt.db.write() as s:
                await service.do_settle(s, r.id)
        async with rt.db.write() as s:
            assert (await service.do_release(s, r.id, state="expired")) is not None

    run(scenario)
    assert counters(run, rt, sku)["sku"] == (5, 0, 0)


def test_deal_limits_sold_out_and_end_returns_stock(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=3, per_buyer_limit=2)
    assert counters(run, rt, ctx["sku"])["sku"] == (17, 0, 0)

    async def scenario() -> None:
        async def reserve(buyer: int, q: int) -> Any:
            async with rt.db.write() as s:
                return await service.do_reserve_deal(
                    s, buyer_id=buyer, deal_id=deal["id"], quantity=q, ttl_seconds=60
                )

        first = (await reserve(1, 2)).reservation
        assert first.unit_price == 990
        with pytest.raises(BuyerLimitExceeded):
            await reserve(1, 1)
        with pytest.raises(BuyerLimitExceeded):
            await reserve(2, 3)
        await reserve(2, 1)
        with pytest.raises(DealSoldOut):
            await reserve(3, 1)
        async with rt.db.write() as s:  # buyer 1 cancels: stock and their share come back
            await service.do_release(s, first.id)
        await reserve(1, 2)
        async with rt.db.write() as s:
            await service.do_end_deal(s, deal["id"], reason="ended")
        with pytest.raises(DealNotLive):
            await reserve(4, 1)

    run(scenario)
    assert counters(run, rt, ctx["sku"], deal["id"]) == {"sku": (17, 0, 0), "deal": (0, 3, 0, 0)}


def test_release_after_deal_end_goes_back_to_the_sku(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    ctx = deal_show(stock=10)
    deal = launch(ctx, quantity=4)

    async def scenario() -> None:
        async with rt.db.write() as s:
            r = await service.do_reserve_deal(
                s, buyer_id=1, deal_id=deal["id"], quantity=1, ttl_seconds=60
            )
            await service.do_end_deal(s, deal["id"], reason="ended")
        async with rt.db.write() as s:
            await service.do_release(s, r.reservation.id, state="expired")

    run(scenario)
    assert counters(run, rt, ctx["sku"], deal["id"]) == {"sku": (10, 0, 0), "deal": (0, 0, 0, 4)}


def test_launch_rules(
    deal_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = deal_show(stock=5, price=2000)
    url = f"/api/shows/{ctx['show']['id']}/deals"
    body = {
        "sku_id": ctx["sku"],
        "deal_price": 990,
        "quantity": 3,
        "per_buyer_limit": 1,
        "duration_seconds": 60,
    }
    host = ctx["host"]
    assert_problem(host.post(url, json=body | {"deal_price": 2000}), 422, "bad_deal")
    assert_problem(host.post(url, json=body | {"quantity": 6}), 409, "out_of_stock")
    assert_problem(host.post(url, json=body | {"per_buyer_limit": 4}), 422, "bad_deal")
    assert_problem(host.post(url, json=body | {"quantity": 0}), 422, "invalid")
    assert_problem(host.post(url, json=body | {"sku_id": 999}), 404)
    assert_problem(make_user("host").post(url, json=body), 403, "forbidden")
    assert_problem(host.post("/api/shows/999/deals", json=body), 404)
    assert host.get(f"/api/shows/{ctx['show']['id']}/deals").json() == []
    deal = host.post(url, json=body).json()
    assert deal["left"] == 3 and deal["seconds_left"] > 50
    assert_problem(host.post(url, json=body), 409, "deal_already_live")
    assert host.post(f"/api/deals/{deal['id']}/end").json()["status"] == "ended"
    assert host.get(f"/api/products/{ctx['product']['id']}").json()["skus"][0]["available"] == 5
    other = (
        make_user("merchant")
        .post(
            "/api/products",
            json={
                "title": "x",
                "skus": [{"name": "x", "price": 100, "currency": "USD", "stock": 3}],
            },
        )
        .json()
    )
    assert_problem(
        host.post(url, json=body | {"sku_id": other["skus"][0]["id"]}), 422, "not_in_lineup"
    )
    host.post(f"/api/shows/{ctx['show']['id']}/end")
    assert_problem(host.post(url, json=body), 409, "show_not_live")


def test_due_deals_end_by_the_job(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    from hawker.deals.jobs import end_due_deals

    ctx = deal_show(stock=10)
    deal = launch(ctx, quantity=4, duration_seconds=10)
    assert run(lambda: end_due_deals(rt)) == 0
    clock.offset_seconds = 11
    assert run(lambda: end_due_deals(rt)) == 1
    assert ctx["host"].get(f"/api/deals/{deal['id']}").json()["ended_reason"] == "expired"
    assert counters(run, rt, ctx["sku"])["sku"] == (10, 0, 0)


def test_two_hundred_concurrent_buyers_get_exactly_the_stock(
    run: Any, rt: Runtime, deal_show: Callable[..., dict[str, Any]]
) -> None:
    ctx = deal_show(stock=100)
    deal = launch(ctx, quantity=20, per_buyer_limit=1)

    async def race() -> list[bool]:
        async with rt.db.write() as s:
            buyers = [
                (
                    await do_create_user(
                        s, email=f"b{i}@example.com", password="pw", display_name="b", roles=[]
                    )
                ).id
                for i in range(150)
            ]

        async def buyer(i: int) -> bool:
            try:
                async with rt.db.write() as s:
                    await service.do_reserve_deal(
                        s, buyer_id=buyers[i % 150], deal_id=deal["id"], quantity=1, ttl_seconds=60
                    )
                return True
            except (DealSoldOut, BuyerLimitExceeded):
                return False

        return await asyncio.gather(*(buyer(i) for i in range(200)))

    results = run(race)
    assert sum(results) == 20
    assert counters(run, rt, ctx["sku"], deal["id"])["deal"] == (0, 20, 0, 0)


def test_refusals_after_a_sell_out_look_up_earlier_orders_only_for_keys_that_reached_the_database(
    run: Any,
    rt: Runtime,
    deal_show: Callable[..., dict[str, Any]],
    make_user: Callable[..., Api],
    replay_look_ups: list[str],
) -> None:
    """Invariant: a retried purchase gets its first response back, even after the deal sold
    out. The one process writing (no Redis) saw every attempt at a deal it launched, so
    refusing a key that never reached the database needs no look-up; a winner's retry does
    look one up, and so does every refusal of a deal this process did not launch (a restart)."""
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=2, per_buyer_limit=1)
    buyers = [make_user("shopper") for _ in range(5)]

    def buy(buyer: Api, key: str, item: dict[str, int] | None = None) -> Any:
        body = {"items": [item or {"deal_id": deal["id"], "quantity": 1}]}
        return buyer.post("/api/orders", json=body, headers={"Idempotency-Key": key})

    # A key first spent on another order is unknown to the deal, yet still refused as reused
    # (caught by the unique key at commit); the deal's units stay where they were.
    assert buy(buyers[4], "spent", {"sku_id": ctx["sku"], "quantity": 1}).status_code == 201
    assert_problem(buy(buyers[4], "spent"), 422, "idempotency_key_reused")
    assert counters(run, rt, ctx["sku"], deal["id"])["deal"] == (2, 0, 0, 0)

    won = [buy(b, f"win-{i}") for i, b in enumerate(buyers[:2])]
    assert [r.status_code for r in won] == [201, 201]
    for i, b in enumerate(buyers[2:4]):
        assert_problem(buy(b, f"late-{i}"), 409, "deal_sold_out")
    assert replay_look_ups == ["spent"]
    again = buy(buyers[0], "win-0")
    assert (again.status_code, again.json()) == (201, won[0].json())
    assert replay_look_ups == ["spent", "win-0"]

    rt.services["sold_out_gate"] = SoldOutGate(sole_writer=True)  # as after a restart
    assert_problem(buy(buyers[4], "late-restarted"), 409, "deal_sold_out")
    assert_problem(buy(buyers[4], "late-restarted-2"), 409, "deal_sold_out")
    assert replay_look_ups[2:] == ["late-restarted-2"]  # the first asked the database itself
    again = buy(buyers[1], "win-1")
    assert (again.status_code, again.json()) == (201, won[1].json())


def test_the_gate_lets_the_tokens_of_an_ended_deal_go(
    rt: Runtime, deal_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    """The tokens are kept per live deal only, so a long-running process does not grow."""
    ctx = deal_show(stock=20)
    deal = launch(ctx, quantity=2, per_buyer_limit=1)
    body = {"items": [{"deal_id": deal["id"], "quantity": 1}]}
    r = make_user("shopper").post("/api/orders", json=body, headers={"Idempotency-Key": "k"})
    assert r.status_code == 201, r.text
    gate = sold_out_gate(rt)
    assert not gate.may_replay(deal["id"], "another-key")  # known: nobody else tried
    assert ctx["host"].post(f"/api/deals/{deal['id']}/end").status_code == 200
    assert gate.may_replay(deal["id"], "another-key")  # let go: unknown again
