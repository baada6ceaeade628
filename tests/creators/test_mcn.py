"""MCN rosters: an agency invites a host at a share, the host accepts or declines, a host is
on at most one roster, and the agency's dashboard shows its hosts' figures and its earnings."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Api, assert_problem
from tests.creators.test_commissions import balance


def invite(mcn: Api, host: Api, share: int = 2000) -> Any:
    email = host.get("/api/me").json()["email"]
    return mcn.post("/api/mcn/invites", json={"host_email": email, "share_bps": share})


def test_invite_accept_split_and_dashboard(
    sell: Callable[..., Any],
    shop: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    agency = make_user("mcn", name="Star Agency")
    ctx = shop(stock=50, price=5000)
    host = ctx["host"]
    sent = invite(agency, host, 2500)
    assert sent.status_code == 201, sent.text
    assert_problem(invite(agency, host), 409)  # one open invitation at a time
    waiting = host.get("/api/me/mcn-invites").json()
    assert [(i["name"], i["share_bps"], i["status"]) for i in waiting] == [
        ("Star Agency", 2500, "pending")
    ]
    accepted = host.post(f"/api/me/mcn-invites/{waiting[0]['id']}/accept")
    assert accepted.json()["status"] == "accepted"
    assert host.get("/api/me/mcn-invites").json() == []
    assert_problem(host.post(f"/api/me/mcn-invites/{waiting[0]['id']}/decline"), 409)

    sell(quantity=2, ctx=ctx)  # 100.00 -> commission 10.00: MCN 2.50, host 7.50
    settle()
    assert (balance(host), balance(agency, "mcn")) == (750, 250)
    [line] = agency.get("/api/mcn/roster").json()
    assert line["host_id"] == host.user["id"] and line["share_bps"] == 2500
    assert line["gmv_30d"] == {"USD": 10000} and line["mcn_earned"] == {"USD": 250}
    assert (line["shows"], line["live_now"], line["tier"]) == (1, True, None)

    rival = make_user("mcn", name="Rival")
    offer = invite(rival, host)
    assert offer.status_code == 201
    assert_problem(host.post(f"/api/me/mcn-invites/{offer.json()['id']}/accept"), 409)
    assert host.delete(f"/api/mcn/roster/{host.user['id']}").status_code == 204  # leaves
    assert agency.get("/api/mcn/roster").json() == []
    assert host.post(f"/api/me/mcn-invites/{offer.json()['id']}/accept").status_code == 200
    assert [x["name"] for x in rival.get("/api/mcn/roster").json()] == [host.user["display_name"]]
    sell(quantity=1, ctx=ctx)  # 50.00 -> 5.00: Rival 20 % = 1.00
    settle()
    assert (balance(agency, "mcn"), balance(rival, "mcn")) == (250, 100)


def test_roster_rules(make_user: Callable[..., Api]) -> None:
    agency, host, shopper = make_user("mcn"), make_user("host"), make_user()
    assert_problem(invite(shopper, host), 403)
    assert_problem(invite(agency, shopper), 404)  # not a host
    r = agency.post("/api/mcn/invites", json={"host_email": "nobody@example.com", "share_bps": 1})
    assert_problem(r, 404)
    assert_problem(invite(agency, host, 10001), 422)
    sent = invite(agency, host).json()
    assert_problem(shopper.post(f"/api/me/mcn-invites/{sent['id']}/accept"), 404)
    assert_problem(host.post(f"/api/me/mcn-invites/{sent['id']}/maybe"), 422)
    assert host.post(f"/api/me/mcn-invites/{sent['id']}/decline").json()["status"] == "declined"
    assert [i["status"] for i in agency.get("/api/mcn/invites").json()] == ["declined"]
    assert_problem(shopper.get("/api/mcn/roster"), 403)
    assert_problem(agency.delete(f"/api/mcn/roster/{host.user['id']}"), 404)
