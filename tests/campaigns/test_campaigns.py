"""Campaign lifecycle: operators create and change campaigns; merchants apply with their own
products, hosts with their own shows; operators approve, reject and feature, all audited."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.campaigns import service
from hawker.core.clock import utcnow
from tests.campaigns.conftest import iso
from tests.conftest import Api, assert_problem


def product(merchant: Api, price: int = 5000) -> dict[str, Any]:
    r = merchant.post(
        "/api/products",
        json={
            "title": "Serum",
            "skus": [{"name": "30ml", "price": price, "currency": "USD", "stock": 20}],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def show(
    host: Api, start: timedelta = timedelta(hours=2), products: list[int] | None = None
) -> dict[str, Any]:
    r = host.post(
        "/api/shows",
        json={"title": "Gala", "scheduled_start": iso(start), "product_ids": products or []},
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_operators_create_and_change_campaigns_audited(
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
    audits: Callable[[], list[Any]],
) -> None:
    c = festival()
    op: Api = c["operator"]
    assert c["theme_colour"] == "#e0245e" and c["rules"] == "Deal prices only."
    changed = op.patch(f"/api/campaigns/{c['id']}", json={"name": "Double Eleven"})
    assert changed.status_code == 200 and changed.json()["name"] == "Double Eleven"
    entries = [(a.action, a.target_id) for a in audits()]
    assert entries == [("campaign.create", str(c["id"])), ("campaign.change", str(c["id"]))]
    last = audits()[-1]
    assert last.before["name"] == "Singles' Day" and last.after["name"] == "Double Eleven"
    assert last.actor_id == op.user["id"]

    merchant = make_user("merchant")
    body = {
        "name": "X",
        "slug": "x-sale",
        "starts_at": iso(timedelta()),
        "ends_at": iso(timedelta(days=1)),
    }
    assert_problem(merchant.post("/api/campaigns", json=body), 403, "forbidden")
    assert_problem(op.post("/api/campaigns", json=body | {"slug": c["slug"]}), 409, "conflict")
    backwards = body | {"ends_at": iso(timedelta(days=-1))}
    assert_problem(op.post("/api/campaigns", json=backwards), 422, "invalid")
    assert_problem(op.post("/api/campaigns", json=body | {"slug": "Not A Slug"}), 422, "invalid")
    assert_problem(op.post("/api/campaigns", json=body | {"theme_colour": "red"}), 422, "invalid")
    assert_problem(
        op.patch(f"/api/campaigns/{c['id']}", json={"ends_at": iso(timedelta(days=-3))}), 422
    )
    assert len(audits()) == 2  # refused changes leave no entry
    assert op.get(f"/api/campaigns/{c['id']}").json()["name"] == "Double Eleven"


def test_merchants_apply_with_their_own_products_and_operators_decide(
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
    audits: Callable[[], list[Any]],
    in_db: Callable[..., Any],
) -> None:
    c = festival()
    op: Api = c["operator"]
    merchant, rival, host = make_user("merchant"), make_user("merchant"), make_user("host")
    mine, theirs = product(merchant), product(rival)
    url = f"/api/campaigns/{c['id']}/products"

    def apply(who: Api, pid: int, price: int = 3999) -> Any:
        return who.post(url, json={"items": [{"product_id": pid, "deal_price": price}]})

    assert_problem(apply(merchant, theirs["id"]), 403, "forbidden")
    assert_problem(apply(host, mine["id"]), 403)  # not a merchant
    assert_problem(apply(merchant, mine["id"], price=5000), 422, "invalid")  # not a deal
    assert_problem(apply(merchant, mine["id"], price=0), 422, "invalid")
    r = apply(merchant, mine["id"])
    assert r.status_code == 201, r.text
    entry = r.json()[0]
    assert entry["status"] == "pending" and entry["deal_price"] == 3999
    assert_problem(apply(merchant, mine["id"]), 409, "conflict")
    # the public sees approved entries only; operators see the queue
    assert merchant.get(f"/api/campaigns/{c['id']}/entries").json() == []
    assert [e["id"] for e in op.get(f"/api/campaigns/{c['id']}/entries?status=pending").json()] == [
        entry["id"]
    ]

    decide = f"/api/campaign-entries/{entry['id']}/decision"
    assert_problem(merchant.post(decide, json={"status": "approved"}), 403, "forbidden")
    assert_problem(op.post(decide, json={"status": "maybe"}), 422, "invalid")
    assert op.post(decide, json={"status": "approved"}).json()["status"] == "approved"
    assert [e["id"] for e in merchant.get(f"/api/campaigns/{c['id']}/entries").json()] == [
        entry["id"]
    ]

    async def badges(s: AsyncSession) -> Any:
        return await service.badges_for(s, product_ids=[mine["id"], theirs["id"]])

    found = in_db(badges)
    assert list(found) == [("product", mine["id"])]

    async def prices(s: AsyncSession) -> Any:
        ids = [mine["id"], theirs["id"]]
        now = utcnow()
        return (
            await service.deal_prices(s, ids, "USD", now),
            await service.deal_prices(s, ids, "EUR", now),
            await service.deal_prices(s, ids, "USD", now + timedelta(days=3)),
        )

    assert in_db(prices) == ({mine["id"]: 3999}, {}, {})
    assert found[("product", mine["id"])][0].slug == c["slug"]
    assert op.post(decide, json={"status": "rejected"}).json()["status"] == "rejected"
    assert in_db(badges) == {}
    actions = [(a.action, a.target_type) for a in audits()][1:]
    assert actions == [
        ("campaign.entry.approve", "campaign_entry"),
        ("campaign.entry.reject", "campaign_entry"),
    ]
    assert (
        audits()[-1].before["status"] == "approved" and audits()[-1].after["status"] == "rejected"
    )


def test_hosts_apply_with_their_own_shows_and_featured_shows_lead_while_live(
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
    audits: Callable[[], list[Any]],
    in_db: Callable[..., Any],
) -> None:
    c = festival()
    op: Api = c["operator"]
    host, other = make_user("host"), make_user("host")
    gala, late, rivals = show(host), show(host, timedelta(days=5)), show(other)
    url = f"/api/campaigns/{c['id']}/shows"

    def apply(who: Api, sid: int, minutes: int = 60) -> Any:
        return who.post(url, json={"items": [{"show_id": sid, "duration_minutes": minutes}]})

    assert_problem(apply(host, rivals["id"]), 403, "forbidden")
    assert_problem(apply(host, late["id"]), 422, "invalid")  # after the campaign
    assert_problem(apply(host, gala["id"], minutes=2), 422, "invalid")
    r = apply(host, gala["id"], minutes=90)
    assert r.status_code == 201, r.text
    entry = r.json()[0]
    assert entry["status"] == "pending" and entry["host_id"] == host.user["id"]
    # another show of the host starting inside that slot cannot join
    clash = show(host, timedelta(hours=3))
    assert_problem(apply(host, clash["id"]), 409, "schedule_conflict")

    feature = f"/api/campaign-entries/{entry['id']}/feature"
    assert_problem(op.post(feature, json={"featured": True}), 422)  # not approved yet
    op.post(f"/api/campaign-entries/{entry['id']}/decision", json={"status": "approved"})
    assert_problem(host.post(feature, json={"featured": True}), 403)
    assert op.post(feature, json={"featured": True}).json()["featured"] is True

    async def featured(s: AsyncSession) -> Any:
        return await service.featured_live(s, utcnow())

    assert in_db(featured) == []  # scheduled, not live
    assert host.post(f"/api/shows/{gala['id']}/start").status_code == 200
    live = in_db(featured)
    assert [(f.show_id, f.campaign_slug) for f in live] == [(gala["id"], c["slug"])]

    async def later(s: AsyncSession) -> Any:
        return await service.featured_live(s, utcnow() + timedelta(days=3))

    assert in_db(later) == []  # the campaign is over
    assert [a.action for a in audits()][-2:] == ["campaign.entry.approve", "campaign.show.feature"]


def test_ended_campaigns_take_no_entries(
    make_user: Callable[..., Api], festival: Callable[..., dict[str, Any]]
) -> None:
    c = festival(starts_at=iso(timedelta(days=-3)), ends_at=iso(timedelta(days=-1)))
    merchant = make_user("merchant")
    p = product(merchant)
    r = merchant.post(
        f"/api/campaigns/{c['id']}/products",
        json={"items": [{"product_id": p["id"], "deal_price": 10}]},
    )
    assert_problem(r, 409, "campaign_closed")
    assert_problem(merchant.get("/api/campaigns/999999"), 404)
    assert_problem(merchant.get("/api/campaigns/999999/gmv-stream"), 404)
