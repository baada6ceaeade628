"""Coupons at checkout: discounts allocated to lines, totals net, commissions exact, the
rules (window, minimum spend, eligibility, stacking, limits) and the audit of operator
actions."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from hawker.core.clock import clock
from hawker.infra.runtime import runtime_of
from hawker.orders.jobs import expire_due_orders
from tests.campaigns.conftest import as_json, coupon_body
from tests.conftest import Api, assert_problem
from tests.creators.conftest import refund
from tests.orders.conftest import buy, key, pay, sku_counts

Shop = Callable[..., dict[str, Any]]


def second_product(ctx: dict[str, Any], price: int = 1001) -> dict[str, Any]:
    r = ctx["merchant"].post(
        "/api/products",
        json={
            "title": "Cap",
            "skus": [{"name": "One size", "price": price, "currency": "USD", "stock": 10}],
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_platform_coupon_is_allocated_to_lines_and_commission_follows_the_net(
    shop: Shop,
    make_coupon: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
    rows: Callable[..., list[Any]],
    operator: Api,
) -> None:
    ctx = shop(stock=10, price=2500)
    cap = second_product(ctx, price=1001)
    coupon = make_coupon("festival10", percent_bps=1000, title="Festival 10 %")
    assert (coupon["code"], coupon["kind"], coupon["uses"]) == ("FESTIVAL10", "platform", 0)
    items = [
        {"sku_id": ctx["sku"], "quantity": 1},
        {"sku_id": cap["skus"][0]["id"], "quantity": 1},
    ]
    r = buy(ctx["buyer"], items, channel="live", show_id=ctx["show"]["id"], coupons=["Festival10"])
    assert r.status_code == 201, r.text
    order = r.json()
    # 10 % of 3501 = 350 (floor), split 2500:1001 -> 249.93 / 100.07 -> 250 / 100
    assert (order["discount"], order["platform_discount"], order["total"]) == (350, 350, 3151)
    assert [line["discount"] for line in order["lines"]] == [250, 100]
    assert pay(ctx["buyer"], order["id"]).status_code == 200
    settle()
    [event] = rows("SELECT data FROM outbox_events WHERE topic = 'order.money'")
    payload = as_json(event[0])
    assert [x["amount"] for x in payload["lines"]] == [2250, 901]
    assert payload["net"] == 3151 and payload["platform_discount"] == 350
    earned = ctx["host"].get("/api/earnings", params={"role": "host"}).json()["balances"]["USD"]
    assert earned == 3151 * 1000 // 10_000  # the default 10 % of what the shopper paid
    listed = operator.get("/api/coupons", params={"kind": "platform"}).json()
    assert [(c["code"], c["uses"]) for c in listed] == [("FESTIVAL10", 1)]
    audit = rows("SELECT action, target_id, actor_id FROM audit_log WHERE target_type = 'coupon'")
    assert [tuple(a) for a in audit] == [("coupon.create", str(coupon["id"]), operator.user["id"])]


def test_merchant_coupon_applies_first_then_the_platform_coupon(
    shop: Shop, make_coupon: Callable[..., dict[str, Any]], rows: Callable[..., list[Any]]
) -> None:
    ctx = shop(stock=10, price=2500)
    make_coupon("SHOP5", by=ctx["merchant"], kind="merchant", amount_off=500)
    make_coupon("PLAT10", percent_bps=1000)
    r = buy(ctx["buyer"], [{"sku_id": ctx["sku"], "quantity": 2}], coupons=["PLAT10", "SHOP5"])
    assert r.status_code == 201, r.text
    # 5000 - 500 (merchant) = 4500; 10 % of that = 450 (platform)
    assert (r.json()["discount"], r.json()["platform_discount"], r.json()["total"]) == (
        950,
        450,
        4050,
    )
    funded = rows("SELECT funded_by, amount FROM coupon_redemptions ORDER BY amount")
    assert [tuple(f) for f in funded] == [("platform", 450), ("merchant", 500)]


def test_rules_refuse_cleanly_and_change_nothing(
    shop: Shop,
    make_coupon: Callable[..., dict[str, Any]],
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
) -> None:
    ctx = shop(stock=10, price=2500)
    buyer, sku = ctx["buyer"], ctx["sku"]
    other = shop(stock=5, price=1000)
    make_coupon("BIG", amount_off=1000, min_spend=5000)
    make_coupon("ONCE", percent_bps=500, total_limit=10, per_user_limit=1)
    make_coupon("TWICE", percent_bps=500)
    make_coupon("EURO", percent_bps=500, currency="EUR")
    make_coupon("THEIRS", by=other["merchant"], kind="merchant", percent_bps=500)
    make_coupon("LATER", percent_bps=500, starts_at="2099-01-01T00:00:00Z",
                ends_at="2099-02-01T00:00:00Z")  # fmt: skip
    make_coupon("CAMPAIGN", percent_bps=500, campaign_id=festival()["id"])  # not in it
    item = [{"sku_id": sku, "quantity": 1}]
    cases = [
        (["NOPE"], 404, "coupon_not_found"),
        (["BIG"], 422, "coupon_below_minimum_spend"),
        (["LATER"], 422, "coupon_not_active"),
        (["EURO"], 422, "coupon_not_applicable"),
        (["THEIRS"], 422, "coupon_not_applicable"),
        (["CAMPAIGN"], 422, "coupon_not_applicable"),
        (["ONCE", "TWICE"], 422, "coupon_stacking"),
        (["ONCE", "once"], 422, "invalid"),
    ]
    for codes, status, code in cases:
        assert_problem(buy(buyer, item, coupons=codes), status, code)
    assert_problem(buy(buyer, item, coupons=["a b"]), 422)
    assert sku_counts(buyer, ctx["product"]["id"]) == (10, 0, 0)  # nothing reserved
    assert buy(buyer, item, coupons=["ONCE"]).status_code == 201
    assert_problem(buy(buyer, item, coupons=["ONCE"]), 409, "coupon_limit_reached")
    assert_problem(
        buyer.post("/api/coupons/quote", json={"items": item, "coupons": ["ONCE"]}),
        409,
        "coupon_limit_reached",
    )
    assert buy(buyer, [{"sku_id": sku, "quantity": 2}], coupons=["BIG"]).status_code == 201


def test_uses_come_back_on_cancel_expiry_and_full_refund_not_partial(
    shop: Shop, make_coupon: Callable[..., dict[str, Any]], operator: Api
) -> None:
    ctx = shop(stock=10, price=2000)
    buyer = ctx["buyer"]
    make_coupon("ONE", amount_off=300, total_limit=1)
    item = [{"sku_id": ctx["sku"], "quantity": 1}]

    def uses() -> int:
        found = operator.get("/api/coupons").json()
        return int(next(c["uses"] for c in found if c["code"] == "ONE"))

    first = buy(buyer, item, coupons=["ONE"]).json()
    assert uses() == 1
    assert_problem(buy(buyer, item, coupons=["ONE"]), 409, "coupon_used_up")
    assert buyer.post(f"/api/orders/{first['id']}/cancel").status_code == 200
    assert uses() == 0
    second = buy(buyer, item, coupons=["ONE"]).json()
    assert second["total"] == 1700 and pay(buyer, second["id"]).status_code == 200
    after = refund(ctx, second["id"], 700)  # partial: the use stays taken
    assert (after["status"], after["refunded_amount"], uses()) == ("paid", 700, 1)
    after = refund(ctx, second["id"])  # the rest: 1000, never more than was paid
    assert (after["status"], after["refunded_amount"], uses()) == ("refunded", 1700, 0)
    assert buy(buyer, item, coupons=["ONE"]).status_code == 201


def test_expired_orders_return_their_uses(
    client: TestClient, shop: Shop, make_coupon: Callable[..., dict[str, Any]], operator: Api
) -> None:
    ctx = shop(stock=10, price=2000)
    make_coupon("LAPSE", percent_bps=1000, total_limit=1)
    buy(ctx["buyer"], [{"sku_id": ctx["sku"], "quantity": 1}], coupons=["LAPSE"])
    clock.offset_seconds = 3600
    client.portal.call(expire_due_orders, runtime_of(client.app))
    clock.offset_seconds = 0
    assert [c["uses"] for c in operator.get("/api/coupons").json()] == [0]


def test_quote_and_cart_checkout_put_each_coupon_on_one_order(
    shop: Shop, make_coupon: Callable[..., dict[str, Any]]
) -> None:
    a, b = shop(stock=10, price=3000), shop(stock=10, price=1000)
    buyer = a["buyer"]
    make_coupon("PLAT", amount_off=500)
    make_coupon("BSHOP", by=b["merchant"], kind="merchant", percent_bps=2000)
    for ctx in (a, b):
        assert buyer.post("/api/cart/items", json={"sku_id": ctx["sku"]}).status_code == 201
    body = {"coupons": ["plat", "BSHOP"]}
    quote = buyer.post("/api/coupons/quote", json=body)
    assert quote.status_code == 200, quote.text
    assert [(q["subtotal"], q["discount"], q["total"]) for q in quote.json()] == [
        (3000, 500, 2500),  # the platform coupon covers most on the larger order
        (1000, 200, 800),
    ]
    assert [[c["code"] for c in q["coupons"]] for q in quote.json()] == [["PLAT"], ["BSHOP"]]
    orders = buyer.post("/api/cart/checkout", json=body, headers=key())
    assert orders.status_code == 201, orders.text
    assert [(o["total"], o["discount"], o["platform_discount"]) for o in orders.json()] == [
        (2500, 500, 500),
        (800, 200, 0),
    ]


def test_who_may_issue_and_retire_coupons(
    shop: Shop,
    make_coupon: Callable[..., dict[str, Any]],
    make_user: Callable[..., Api],
    operator: Api,
    rows: Callable[..., list[Any]],
) -> None:
    ctx, other = shop(), shop()
    merchant, buyer = ctx["merchant"], ctx["buyer"]
    assert_problem(buyer.post("/api/coupons", json=coupon_body("XX1", percent_bps=5)), 403)
    assert_problem(merchant.post("/api/coupons", json=coupon_body("XX2", percent_bps=5)), 403)
    their_product = [other["product"]["id"]]
    theirs = coupon_body("XX3", kind="merchant", percent_bps=5, product_ids=their_product)
    assert_problem(merchant.post("/api/coupons", json=theirs), 403)
    bad = [
        coupon_body("XX4", percent_bps=5, amount_off=5),
        coupon_body("XX5"),
        coupon_body("XX6", percent_bps=10_001),
        coupon_body("XX7", percent_bps=5, starts_at="2030-01-02", ends_at="2030-01-01"),
        coupon_body("no spaces", percent_bps=5),
        coupon_body("XX8", percent_bps=5, currency="XXX"),
        coupon_body("XX9", percent_bps=5, product_ids=[2**40]),
    ]
    for body in bad:
        assert_problem(operator.post("/api/coupons", json=body), 422)
    mine = make_coupon("MINE", by=merchant, kind="merchant", percent_bps=500)
    assert_problem(make_user().post("/api/coupons", json=coupon_body("MINE", percent_bps=5)), 403)
    assert_problem(operator.post("/api/coupons", json=coupon_body("mine", percent_bps=5)), 409)
    assert_problem(
        other["merchant"].patch(f"/api/coupons/{mine['id']}", json={"active": False}), 404
    )
    assert [c["code"] for c in other["merchant"].get("/api/coupons").json()] == []
    r = operator.patch(f"/api/coupons/{mine['id']}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert_problem(
        buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}], coupons=["MINE"]),
        422,
        "coupon_not_active",
    )
    audit = rows("SELECT action, before, after FROM audit_log WHERE target_type = 'coupon'")
    assert [a[0] for a in audit] == ["coupon.retire"]  # a merchant's own actions: not operators'
    before, after = as_json(audit[0][1]), as_json(audit[0][2])
    assert (before["code"], before["active"], after["active"]) == ("MINE", True, False)


def test_a_festival_charges_its_deal_price_and_its_coupon_covers_its_products(
    shop: Shop,
    make_coupon: Callable[..., dict[str, Any]],
    festival: Callable[..., dict[str, Any]],
    operator: Api,
) -> None:
    """An approved product sells at its campaign deal price while the campaign runs, and a
    coupon for the campaign discounts it (and nothing outside the campaign)."""
    ctx = shop(stock=10, price=5000)
    c = festival(operator)
    item = {"product_id": ctx["product"]["id"], "deal_price": 4000}
    (entry,) = (
        ctx["merchant"].post(f"/api/campaigns/{c['id']}/products", json={"items": [item]}).json()
    )
    decide = f"/api/campaign-entries/{entry['id']}/decision"
    assert operator.post(decide, json={"status": "approved"}).status_code == 200
    make_coupon("FEST5", percent_bps=500, campaign_id=c["id"])
    nowhere = coupon_body("NOWHERE", percent_bps=5, campaign_id=999999)
    assert_problem(operator.post("/api/coupons", json=nowhere), 404)

    order = buy(ctx["buyer"], [{"sku_id": ctx["sku"], "quantity": 2}], coupons=["FEST5"]).json()
    assert [line["unit_price"] for line in order["lines"]] == [4000]  # the deal price
    assert (order["discount"], order["total"]) == (400, 7600)  # 5 % of 80.00

    other = shop(stock=5, price=1000)  # not in the festival: full price, coupon refused
    r = buy(other["buyer"], [{"sku_id": other["sku"], "quantity": 1}], coupons=["FEST5"])
    assert_problem(r, 422, "coupon_not_applicable")
    plain = buy(other["buyer"], [{"sku_id": other["sku"], "quantity": 1}]).json()
    assert plain["total"] == 1000
