"""Host tiers: operators define them; a recompute places every host in the highest tier whose
rules they meet (trailing 30-day net GMV and followers), records why, and the tier's rate
applies to orders settled from then on."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from hawker.core.clock import utcnow
from hawker.creators import tiers
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem
from tests.creators.conftest import refund
from tests.creators.test_commissions import balance

LADDER = [
    {"name": "Bronze", "rank": 1, "commission_bps": 800},
    {"name": "Silver", "rank": 2, "min_gmv_30d": 5000, "min_followers": 1, "commission_bps": 1200},
    {"name": "Gold", "rank": 3, "min_gmv_30d": 100_000, "commission_bps": 1500, "boost_pct": 50},
]


def define(operator: Api) -> dict[str, int]:
    ids = {}
    for tier in LADDER:
        r = operator.post("/api/tiers", json=tier)
        assert r.status_code == 201, r.text
        ids[tier["name"]] = r.json()["id"]
    return ids


def recompute(operator: Api) -> list[dict[str, Any]]:
    r = operator.post("/api/tiers/recompute")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_tiers_follow_gmv_and_followers_and_set_the_rate(
    client: TestClient,
    sell: Callable[..., Any],
    settle: Callable[[], int],
    make_user: Callable[..., Api],
) -> None:
    operator, fan = make_user("operator"), make_user()
    ids = define(operator)
    ctx, first = sell(price=3000, quantity=2)  # 60.00 this month
    settle()
    host, host_id = ctx["host"], ctx["host"].user["id"]
    assert balance(host) == 600  # no tier yet: the default 10 %
    moves = {m["host_id"]: m for m in recompute(operator)}
    assert moves[host_id]["to_tier"] == ids["Bronze"]  # GMV enough for Silver, no followers
    assert moves[host_id]["reason"].startswith("meets Bronze: 30-day GMV $60.00")
    fan.post(f"/api/hosts/{host_id}/follow")
    moves = {m["host_id"]: m for m in recompute(operator)}
    silver = moves[host_id]
    assert (silver["from_tier"], silver["to_tier"]) == (ids["Bronze"], ids["Silver"])
    assert "30-day GMV $60.00 (needs $50.00), 1 followers (needs 1)" in silver["reason"]
    assert recompute(operator) == []  # nothing changed: nothing recorded

    sell(price=3000, quantity=1, ctx=ctx)  # settled under Silver: 12 % of 30.00
    settle()
    assert balance(host) == 600 + 360

    mine = host.get(f"/api/hosts/{host_id}/tier").json()
    assert mine["tier"]["name"] == "Silver"
    assert [(c["from_tier_id"], c["to_tier_id"]) for c in mine["history"]] == [
        (ids["Bronze"], ids["Silver"]),
        (None, ids["Bronze"]),
    ]
    public = fan.get(f"/api/hosts/{host_id}/tier").json()
    assert public["tier"]["name"] == "Silver" and public["history"] is None

    refund(ctx, first["id"])  # 30.00 left in the window: below Silver
    settle()
    moves = {m["host_id"]: m for m in recompute(operator)}
    assert moves[host_id]["to_tier"] == ids["Bronze"]
    assert moves[host_id]["reason"].startswith("meets Bronze: 30-day GMV $30.00")

    # 31 days on, the window is empty; retiring Bronze leaves the host with no tier
    operator.patch(f"/api/tiers/{ids['Bronze']}", json={"active": False})
    rt = runtime_of(client.app)

    async def later() -> list[tiers.Move]:
        async with rt.db.write() as s:
            return await tiers.do_recompute(s, utcnow() + timedelta(days=31))

    moves_later = {m.host_id: m for m in client.portal.call(later)}  # type: ignore[union-attr]
    assert moves_later[host_id].to_tier is None
    assert moves_later[host_id].reason.startswith("below Silver: 30-day GMV $0.00")
    assert [t["name"] for t in fan.get("/api/tiers").json()] == ["Silver", "Gold"]


def test_only_operators_define_valid_tiers(make_user: Callable[..., Api]) -> None:
    operator, host = make_user("operator"), make_user("host")
    define(operator)
    assert_problem(host.post("/api/tiers", json=LADDER[0] | {"rank": 9, "name": "X"}), 403)
    assert_problem(host.post("/api/tiers/recompute"), 403)
    assert_problem(operator.post("/api/tiers", json=LADDER[0] | {"name": "Again"}), 409)
    for bad in (
        {"commission_bps": 10001},
        {"rank": 0},
        {"currency": "usd"},
        {"name": "<b>"},
        {"min_gmv_30d": -1},
        {"surprise": 1},
    ):
        body = {"name": "New", "rank": 7, "commission_bps": 100} | bad
        assert_problem(operator.post("/api/tiers", json=body), 422)
    assert_problem(operator.patch("/api/tiers/999", json={"rank": 5}), 404)
    assert_problem(make_user().get("/api/hosts/999/tier"), 404)
