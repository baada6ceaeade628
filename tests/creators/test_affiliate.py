"""Affiliate links and last-touch attribution: an order placed outside a show or a short video
goes to the buyer's latest touch (a host's link, a show's room, its replay, a short video)
within the window that concerns one of its products, and the commission follows it."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from hawker.core.clock import clock, utcnow
from hawker.infra.runtime import runtime_of
from hawker.live.models import Show
from hawker.video.models import Replay, ShortVideo, ShortVideoProduct
from tests.conftest import Api, assert_problem
from tests.creators.test_commissions import balance
from tests.orders.conftest import buy, pay

Shop = Callable[..., dict[str, Any]]


def link_for(host: Api, product_id: int) -> dict[str, Any]:
    r = host.post("/api/affiliate-links", json={"product_id": product_id})
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def click(api: Api | TestClient, link: dict[str, Any]) -> None:
    r = api.get(link["url"], follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/products/"), r.text


def order_direct(ctx: dict[str, Any], buyer: Api | None = None) -> dict[str, Any]:
    """An order from the product page: no show, no short video."""
    r = buy(buyer or ctx["buyer"], [{"sku_id": ctx["sku"], "quantity": 1}])
    assert r.status_code == 201, r.text
    return dict(r.json())


def attribution(order: dict[str, Any]) -> tuple[str, int | None, int | None, int | None]:
    return order["channel"], order["host_id"], order["show_id"], order["link_id"]


def join_room(api: Api, show_id: int) -> None:
    with api.client.websocket_connect(f"/ws/shows/{show_id}?token={api.token}") as ws:
        assert ws.receive_json()["data"]["user_id"] == api.user["id"]


def test_an_affiliate_link_wins_the_order_and_its_commission(
    shop: Shop, make_user: Callable[..., Api], settle: Callable[[], int]
) -> None:
    ctx = shop(stock=20, price=10000)
    affiliate = make_user("host")
    product_id = ctx["product"]["id"]
    first = affiliate.post("/api/affiliate-links", json={"product_id": product_id})
    assert first.status_code == 201
    link = first.json()
    again = affiliate.post("/api/affiliate-links", json={"product_id": product_id})
    assert again.status_code == 200 and again.json()["code"] == link["code"]  # one per product
    assert link["url"] == f"/a/{link['code']}" and len(link["code"]) >= 12

    click(ctx["buyer"], link)
    order = order_direct(ctx)
    assert attribution(order) == ("link", affiliate.user["id"], None, link["id"])
    assert pay(ctx["buyer"], order["id"]).status_code == 200
    settle()
    assert balance(affiliate) == 1000  # the default 10 % of 100.00
    assert balance(ctx["host"]) == 0
    (stats,) = affiliate.get("/api/affiliate-links").json()
    assert (stats["clicks"], stats["orders"], stats["gmv"], stats["currency"]) == (
        1, 1, 10000, "USD"
    )  # fmt: skip


def test_the_latest_touch_for_the_products_wins(shop: Shop, make_user: Callable[..., Api]) -> None:
    ctx = shop(stock=20)
    buyer, host, show_id = ctx["buyer"], ctx["host"], ctx["show"]["id"]
    affiliate = make_user("host")
    link = link_for(affiliate, ctx["product"]["id"])
    other = ctx["merchant"].post(
        "/api/products",
        json={"title": "Cap", "skus": [{"name": "One", "price": 900, "currency": "USD",
                                         "stock": 5}]},
    ).json()  # fmt: skip
    unrelated = link_for(make_user("host"), other["id"])

    join_room(buyer, show_id)
    click(buyer, link)
    assert attribution(order_direct(ctx))[:2] == ("link", affiliate.user["id"])
    join_room(buyer, show_id)  # back in the show: it is the last touch now
    assert attribution(order_direct(ctx)) == ("live", host.user["id"], show_id, None)
    click(buyer, unrelated)  # later, but for another product: it does not count
    assert attribution(order_direct(ctx)) == ("live", host.user["id"], show_id, None)
    # bought inside the show, the show wins whatever came before
    click(buyer, link)
    in_room = buy(buyer, [{"sku_id": ctx["sku"], "quantity": 1}], show_id=show_id).json()
    assert attribution(in_room) == ("live", host.user["id"], show_id, None)


def test_old_touches_and_a_hosts_own_do_not_count(
    shop: Shop, make_user: Callable[..., Api]
) -> None:
    ctx = shop(stock=20)
    affiliate = make_user("host", "shopper")
    link = link_for(affiliate, ctx["product"]["id"])
    click(ctx["buyer"], link)
    clock.offset_seconds = 8 * 86400  # past the 7-day window
    assert attribution(order_direct(ctx)) == ("direct", None, None, None)
    clock.offset_seconds = 0
    click(affiliate, link)  # the host buying through their own link earns nothing from it
    assert attribution(order_direct(ctx, affiliate)) == ("direct", None, None, None)


def test_an_anonymous_click_follows_the_shopper_who_signs_in(
    client: TestClient, shop: Shop, make_user: Callable[..., Api]
) -> None:
    ctx = shop(stock=20)
    affiliate = make_user("host")
    link = link_for(affiliate, ctx["product"]["id"])
    r = client.get(link["url"], follow_redirects=False)  # no credentials: a visitor
    assert r.status_code == 303 and "hawker_click=" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"]
    order = order_direct(ctx)  # the same browser, now signed in
    assert attribution(order) == ("link", affiliate.user["id"], None, link["id"])
    assert affiliate.get("/api/affiliate-links").json()[0]["clicks"] == 1
    client.cookies.clear()
    client.cookies.set("hawker_click", "not-a-number")  # garbage is ignored, not an error
    assert attribution(order_direct(ctx)) == ("direct", None, None, None)


def test_replays_and_short_videos_are_touches(
    client: TestClient, shop: Shop, make_user: Callable[..., Api]
) -> None:
    ctx = shop(stock=20)
    buyer, host, show_id = ctx["buyer"], ctx["host"], ctx["show"]["id"]
    clipper = make_user("host")
    rt = runtime_of(client.app)

    async def media() -> int:
        async with rt.db.write() as s:
            s.add(Replay(show_id=show_id, recording=f"show-{show_id}-1.flv", video_url="/r.mp4",
                         poster_url="/r.jpg", duration_s=60.0,
                         recording_started_at=utcnow() - timedelta(minutes=5)))  # fmt: skip
            clip = ShortVideo(host_id=clipper.user["id"], status="ready", video_url="/c.mp4")
            s.add(clip)
            await s.flush()
            s.add(ShortVideoProduct(video_id=clip.id, product_id=ctx["product"]["id"], position=0))
            (await s.get(Show, show_id)).status = "ended"  # type: ignore[union-attr]
            return clip.id

    clip_id = client.portal.call(media)  # type: ignore[union-attr]
    assert buyer.get(f"/shows/{show_id}/replay").status_code == 200
    assert attribution(order_direct(ctx)) == ("replay", host.user["id"], show_id, None)
    assert buyer.post(f"/api/videos/{clip_id}/views", json={"watched_ms": 4000}).status_code == 204
    order = order_direct(ctx)
    assert attribution(order) == ("video", clipper.user["id"], None, None)
    assert order["video_id"] == clip_id


def test_links_are_for_hosts_and_real_products(
    client: TestClient, shop: Shop, make_user: Callable[..., Api]
) -> None:
    ctx = shop()
    assert_problem(ctx["buyer"].post("/api/affiliate-links", json={"product_id": 1}), 403)
    host = ctx["host"]
    assert_problem(host.post("/api/affiliate-links", json={"product_id": 99999}), 404)
    for bad in ({}, {"product_id": 0}, {"product_id": "x"}, {"product_id": 1, "extra": 1}):
        assert_problem(host.post("/api/affiliate-links", json=bad), 422)
    assert client.get("/a/nosuchcode", follow_redirects=False).status_code == 404
    assert client.get("/a/bad%20code!", follow_redirects=False).status_code in (404, 422)
    assert host.get("/api/affiliate-links").json() == []
