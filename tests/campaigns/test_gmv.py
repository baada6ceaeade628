"""Campaign GMV read model: paid orders of approved participants inside the window, following
refunds, and the share bought by the campaign's boosts."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.campaigns import listeners, listing, service
from tests.campaigns.conftest import iso
from tests.conftest import Api
from tests.creators.conftest import refund
from tests.orders.conftest import buy, pay


def product(merchant: Api, title: str, price: int) -> dict[str, Any]:
    body = {"title": title, "skus": [{"name": "-", "price": price, "currency": "USD", "stock": 50}]}
    return merchant.post("/api/products", json=body).json()  # type: ignore[no-any-return]


def paid(buyer: Api, lines: list[tuple[dict[str, Any], int]], **extra: Any) -> dict[str, Any]:
    items = [{"sku_id": p["skus"][0]["id"], "quantity": q} for p, q in lines]
    order = buy(buyer, items, **extra)
    assert order.status_code == 201, order.text
    r = pay(buyer, order.json()["id"])
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_campaign_gmv_follows_approved_participants_refunds_and_boosts(
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
    sweep: Callable[[], int],
    settle: Callable[[], int],
    in_db: Callable[..., Any],
) -> None:
    c = festival()
    op: Api = c["operator"]
    merchant, host, buyer = make_user("merchant"), make_user("host"), make_user()
    inside, outside = product(merchant, "Serum", 2000), product(merchant, "Towel", 500)
    entry = merchant.post(
        f"/api/campaigns/{c['id']}/products",
        json={"items": [{"product_id": inside["id"], "deal_price": 1500}]},
    ).json()[0]
    gala = host.post(
        "/api/shows",
        json={
            "title": "Gala",
            "scheduled_start": iso(timedelta(minutes=5)),
            "product_ids": [outside["id"]],
        },
    ).json()
    slot = host.post(
        f"/api/campaigns/{c['id']}/shows", json={"items": [{"show_id": gala["id"]}]}
    ).json()[0]
    host.post(f"/api/shows/{gala['id']}/start")
    gmv_url = f"/api/campaigns/{c['id']}/gmv"

    # pending entries do not count yet
    paid(buyer, [(inside, 1)])
    sweep()
    assert buyer.get(gmv_url).json() == []
    for e in (entry, slot):
        op.post(f"/api/campaign-entries/{e['id']}/decision", json={"status": "approved"})
    boost = {
        "kind": "product",
        "target_id": inside["id"],
        "campaign_id": c["id"],
        "multiplier": 2,
        "daily_budget": 50,
    }
    assert op.post("/api/boosts", json=boost).status_code == 201

    # approved, the serum sells at its deal price: 2 x 15.00 in the campaign, 4 x 5.00 not
    mixed = paid(buyer, [(inside, 2), (outside, 4)])
    in_show = paid(buyer, [(outside, 3)], channel="live", show_id=gala["id"])  # whole order
    paid(buyer, [(outside, 1)])  # neither
    assert sweep() >= 2
    assert sweep() == 0  # each event takes effect once
    figures = buyer.get(gmv_url).json()
    assert figures == [{"currency": "USD", "gmv": 3000 + 1500, "boosted_gmv": 3000, "orders": 2}]
    settle()  # the sales read model names each order's host
    board = buyer.get(f"/api/campaigns/{c['id']}/leaderboard").json()
    assert [(e["id"], e["gmv"], e["orders"]) for e in board["entries"]] == [
        (host.user["id"], 1500, 1)  # the gala's order; the others had no host
    ]
    page = buyer.get(f"/leaderboards?campaign={c['id']}")
    assert page.status_code == 200 and f'href="/hosts/{host.user["id"]}"' in page.text

    refund({"merchant": merchant}, mixed["id"], amount=1250)  # a quarter of the order
    refund({"merchant": merchant}, in_show["id"])
    sweep()
    figures = buyer.get(gmv_url).json()[0]
    assert (figures["gmv"], figures["boosted_gmv"], figures["orders"]) == (2250, 2250, 1)
    stats = op.get(f"/api/campaigns/{c['id']}/stats").json()
    assert stats["gmv"] == [figures]
    # the big screen narrowed to the festival: its show and the approved product's merchant
    screen = op.get("/api/big-screen", params={"campaign": c["id"]}).json()
    assert screen["scope"] == c["name"] and screen["totals"][0]["gmv"] > 0

    async def scope(s: AsyncSession) -> Any:
        return await listing.scope_of(s, await service.access_campaign(s, c["id"]))

    found = in_db(scope)
    assert (found.show_ids, found.product_ids) == ({gala["id"]}, {inside["id"]})
    assert found.host_ids == {host.user["id"]}


lines_st = st.lists(
    st.fixed_dictionaries({"product_id": st.integers(1, 6), "amount": st.integers(0, 10**12)}),
    max_size=8,
)


@given(lines=lines_st, refunded=st.floats(0, 1), chosen=st.sets(st.integers(1, 6)))
def test_a_campaign_share_is_exact_and_bounded(
    lines: list[dict[str, int]], refunded: float, chosen: set[int]
) -> None:
    gross = sum(line["amount"] for line in lines)
    net = gross - int(gross * refunded)
    share = listeners.line_share(lines, net, False, chosen)
    rest = listeners.line_share(lines, net, False, {1, 2, 3, 4, 5, 6} - chosen)
    assert 0 <= share <= net and share + rest <= net
    assert share + rest >= net - 1  # two floors lose at most one minor unit between them
    assert listeners.line_share(lines, net, True, set()) == (net if gross else 0)
    if net == gross:  # nothing refunded: exactly the chosen lines' amounts
        assert share == sum(line["amount"] for line in lines if line["product_id"] in chosen)
