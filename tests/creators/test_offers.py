"""Commission offers: a merchant's offer sets what hosts earn on a product or a category, open
or invited, with a tier bonus; an order's rate is the line-weighted rate of its products."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Api, assert_problem
from tests.creators.test_commissions import balance
from tests.orders.conftest import buy, pay


def offer(merchant: Api, **body: Any) -> dict[str, Any]:
    r = merchant.post("/api/offers", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def sell_lines(ctx: dict[str, Any], items: list[dict[str, int]]) -> None:
    order = buy(ctx["buyer"], items, show_id=ctx["show"]["id"]).json()
    assert pay(ctx["buyer"], order["id"]).status_code == 200


def test_offers_set_the_rate_hosts_earn(
    shop: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    ctx = shop(stock=50, price=10000)
    merchant, host = ctx["merchant"], ctx["host"]
    hoodie = ctx["product"]["id"]
    first = offer(merchant, product_id=hoodie, rate_bps=2000)
    market = host.get("/api/marketplace").json()
    assert [(i["product_id"], i["rate_bps"], i["invited"]) for i in market] == [
        (hoodie, 2000, False)
    ]
    sell_lines(ctx, [{"sku_id": ctx["sku"], "quantity": 1}])
    settle()
    assert balance(host) == 2000  # 20 % of 100.00

    # a second product without an offer: the order's rate is line-weighted
    cap = merchant.post(
        "/api/products",
        json={"title": "Cap", "skus": [{"name": "One", "price": 10000, "currency": "USD",
                                         "stock": 5}]},
    ).json()  # fmt: skip
    host.put(f"/api/shows/{ctx['show']['id']}/lineup",
             json={"product_ids": [hoodie, cap["id"]]})  # fmt: skip
    sell_lines(ctx, [{"sku_id": ctx["sku"], "quantity": 1}, {"sku_id": cap["skus"][0]["id"],
                                                             "quantity": 1}])  # fmt: skip
    settle()
    assert balance(host) == 2000 + 3000  # (20 % + 10 %) / 2 of 200.00

    # retired: later orders go back to the default rate
    assert merchant.delete(f"/api/offers/{first['id']}").json()["active"] is False
    sell_lines(ctx, [{"sku_id": ctx["sku"], "quantity": 1}])
    settle()
    assert balance(host) == 5000 + 1000
    assert host.get("/api/marketplace").json() == []


def test_invited_offers_and_tier_bonus(
    shop: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    ctx = shop(stock=50, price=10000)
    merchant, host, other = ctx["merchant"], ctx["host"], make_user("host")
    operator = make_user("operator")
    operator.post("/api/tiers", json={"name": "Star", "rank": 5, "commission_bps": 500})
    operator.post("/api/tiers/recompute")  # everyone meets Star's rules
    offer(
        merchant,
        product_id=ctx["product"]["id"],
        rate_bps=1500,
        open_to_all=False,
        invited_host_ids=[host.user["id"]],
        bonus_bps=500,
        bonus_min_rank=5,
    )
    assert [i["rate_bps"] for i in host.get("/api/marketplace").json()] == [2000]
    assert other.get("/api/marketplace").json() == []
    sell_lines(ctx, [{"sku_id": ctx["sku"], "quantity": 1}])
    settle()
    assert balance(host) == 2000  # 15 % + 5 % Star bonus


def test_offer_rules(shop: Callable[..., dict[str, Any]], make_user: Callable[..., Api]) -> None:
    ctx = shop()
    rival = make_user("merchant")
    hoodie = ctx["product"]["id"]
    assert_problem(rival.post("/api/offers", json={"product_id": hoodie, "rate_bps": 100}), 403)
    assert_problem(ctx["host"].post("/api/offers", json={"product_id": hoodie, "rate_bps": 1}), 403)
    merchant = ctx["merchant"]
    for bad in (
        {"rate_bps": 100},  # neither product nor category
        {"product_id": hoodie, "category_id": 1, "rate_bps": 100},
        {"product_id": hoodie, "rate_bps": 10001},
        {"product_id": hoodie, "rate_bps": 100, "open_to_all": False},
        {"product_id": hoodie, "rate_bps": 100, "surprise": True},
    ):
        assert_problem(merchant.post("/api/offers", json=bad), 422)
    assert_problem(merchant.post("/api/offers", json={"product_id": 99999, "rate_bps": 1}), 404)
    assert_problem(merchant.delete("/api/offers/99999"), 404)
    assert_problem(make_user().get("/api/marketplace"), 403)


def test_a_category_offer_covers_the_merchants_products_in_it(
    shop: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    ctx = shop(stock=50, price=10000)
    operator = make_user("operator")
    hats = operator.post("/api/categories", json={"slug": "hats", "name": "Hats"}).json()
    merchant, hoodie = ctx["merchant"], ctx["product"]["id"]
    assert merchant.patch(f"/api/products/{hoodie}", json={"category_id": hats["id"]}).is_success
    offer(merchant, category_id=hats["id"], rate_bps=3000)
    offer(merchant, product_id=hoodie, rate_bps=1200)  # a product offer wins over its category
    assert [i["rate_bps"] for i in ctx["host"].get("/api/marketplace").json()] == [1200]
    sell_lines(ctx, [{"sku_id": ctx["sku"], "quantity": 1}])
    settle()
    assert balance(ctx["host"]) == 1200
