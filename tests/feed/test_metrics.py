"""Section metrics: who saw each section, clicks through /go, and the GMV of orders bought
after a click (channel "feed" on the item's page; a show's own channel in its room)."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Api, assert_problem
from tests.feed.conftest import publish, section
from tests.orders.conftest import buy, key, pay


def by_id(operator: Api) -> dict[int, dict[str, Any]]:
    return {m["section_id"]: m for m in operator.get("/api/front-page/metrics").json()}


def test_impressions_clicks_and_gmv_per_section(
    client: TestClient, market: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    operator, shopper = market["operator"], market["buyer"]
    layout = publish(operator, [section("Live now", "live"), section("Shop", "products")])
    live, shop = (x["id"] for x in layout["sections"])
    shopper.get("/api/feed")
    shopper.get("/api/feed")
    make_user().get("/api/feed")
    client.get("/")  # signed out: counted, but not as a shopper

    product = market["product"]["id"]
    went = shopper.get(f"/go?s={shop}&k=product&id={product}", follow_redirects=False)
    assert went.status_code == 303 and went.headers["location"] == f"/products/{product}"
    assert client.cookies["hawker_feed"] == f"{shop}.product.{product}"
    order = buy(shopper, [{"sku_id": market["sku"], "quantity": 2}]).json()
    assert (order["channel"], order["section_id"]) == ("feed", shop)
    assert pay(shopper, order["id"]).status_code == 200

    show = market["show"]["id"]
    shopper.get(f"/go?s={live}&k=show&id={show}", follow_redirects=False)
    in_room = buy(shopper, [{"sku_id": market["sku"], "quantity": 1}], channel="live", show_id=show)
    in_room = in_room.json()
    assert (in_room["channel"], in_room["section_id"], in_room["host_id"]) == (
        "live",
        live,
        market["host"].user["id"],
    )
    assert pay(shopper, in_room["id"]).status_code == 200
    unpaid = buy(shopper, [{"sku_id": market["sku"], "quantity": 1}], channel="live", show_id=show)
    assert unpaid.json()["section_id"] == live  # pending: not GMV yet

    m = by_id(operator)
    assert (m[shop]["shoppers"], m[shop]["impressions"], m[shop]["clicks"]) == (2, 4, 1)
    assert m[shop]["ctr"] == 0.25
    assert (m[shop]["orders"], m[shop]["gmv"]) == (1, {"USD": 5000})
    assert (m[live]["clicks"], m[live]["orders"], m[live]["gmv"]) == (1, 1, {"USD": 2500})


def test_a_click_names_a_section_only_for_what_was_clicked(market: dict[str, Any]) -> None:
    operator, shopper = market["operator"], market["buyer"]
    layout = publish(operator, [section("Coming up", "upcoming")])
    (upcoming,) = (x["id"] for x in layout["sections"])
    shopper.get(f"/go?s={upcoming}&k=show&id={market['later']['id']}", follow_redirects=False)
    order = buy(shopper, [{"sku_id": market["sku"], "quantity": 1}]).json()
    assert order["section_id"] is None and order["channel"] != "feed"


def test_bad_clicks_are_refused_or_not_counted(client: TestClient, market: dict[str, Any]) -> None:
    operator = market["operator"]
    layout = publish(operator, [section("Live now", "live")])
    live = layout["sections"][0]["id"]
    for query in (f"s={live}&k=order&id=1", "s=0&k=show&id=1", f"s={live}&k=show", "k=show&id=1"):
        assert_problem(client.get(f"/go?{query}", follow_redirects=False), 422)
    assert_problem(client.get(f"/go?s={live}&k=replay&id=5", follow_redirects=False), 404)
    r = client.get(f"/go?s={live + 50}&k=show&id=1", follow_redirects=False)
    assert r.status_code == 303 and "hawker_feed" not in r.headers.get("set-cookie", "")
    assert by_id(operator)[live]["clicks"] == 0


def test_a_cart_checkout_after_a_click_names_the_section(market: dict[str, Any]) -> None:
    operator, shopper = market["operator"], market["buyer"]
    layout = publish(operator, [section("Shop", "products")])
    shop = layout["sections"][0]["id"]
    shopper.get(f"/go?s={shop}&k=product&id={market['product']['id']}", follow_redirects=False)
    assert shopper.post("/api/cart/items", json={"sku_id": market["sku"]}).status_code == 201
    (order,) = shopper.post("/api/cart/checkout", json={}, headers=key()).json()
    assert (order["channel"], order["section_id"]) == ("feed", shop)
