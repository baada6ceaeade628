"""The operator console's API: finding accounts, granting roles, and the audit log that records
every operator action (invariant 6) with who, what, when, before and after."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Api, assert_problem

SHOW = {"title": "Drop", "scheduled_start": "2026-01-01T10:00:00Z"}


def audit(operator: Api, **filters: Any) -> list[dict[str, Any]]:
    r = operator.get("/api/operator/audit", params=filters)
    assert r.status_code == 200, r.text
    return list(r.json())


def test_operators_grant_roles_and_every_grant_is_audited(make_user: Callable[..., Api]) -> None:
    operator, shopper = make_user("operator"), make_user(name="Quinn Shopper")
    found = operator.get("/api/operator/users", params={"q": "quinn"}).json()
    assert [u["id"] for u in found] == [shopper.user["id"]]
    assert operator.get("/api/operator/users", params={"q": "%"}).json() == []  # literal
    assert [u["id"] for u in operator.get(
        "/api/operator/users", params={"q": str(shopper.user["id"])}
    ).json()] == [shopper.user["id"]]  # fmt: skip

    url = f"/api/operator/users/{shopper.user['id']}/roles"
    assert_problem(shopper.post("/api/shows", json=SHOW), 403)
    granted = operator.put(url, json={"roles": ["host"]})
    assert granted.status_code == 200 and granted.json()["roles"] == ["host", "shopper"]
    assert shopper.post("/api/shows", json=SHOW).status_code == 201  # at once on this node
    assert operator.put(url, json={"roles": ["host", "shopper"]}).status_code == 200  # no change

    (entry,) = audit(operator, action="user.")
    assert entry["actor_id"] == operator.user["id"] and entry["target_id"] == str(
        shopper.user["id"]
    )
    assert (entry["before"], entry["after"]) == (
        {"roles": ["shopper"]},
        {"roles": ["host", "shopper"]},
    )
    assert audit(operator, target_type="user", target_id="999") == []


def test_role_changes_are_checked(make_user: Callable[..., Api]) -> None:
    operator, shopper = make_user("operator"), make_user()
    url = f"/api/operator/users/{shopper.user['id']}/roles"
    assert_problem(shopper.put(url, json={"roles": ["operator"]}), 403)
    assert_problem(shopper.get("/api/operator/users", params={"q": "a"}), 403)
    assert_problem(shopper.get("/api/operator/audit"), 403)
    assert_problem(operator.put(url, json={"roles": ["wizard"]}), 422)
    assert_problem(operator.put(url, json={"roles": []}), 422)
    assert_problem(operator.put("/api/operator/users/999999/roles", json={"roles": ["host"]}), 404)
    own = f"/api/operator/users/{operator.user['id']}/roles"
    assert_problem(operator.put(own, json={"roles": ["host"]}), 403)
    assert_problem(operator.get("/api/operator/users", params={"q": ""}), 422)
    assert_problem(operator.get("/api/operator/audit", params={"limit": 0}), 422)
    assert audit(operator) == []  # refused changes leave no trace


def test_tier_changes_and_operator_moderation_are_audited(
    make_user: Callable[..., Api],
) -> None:
    operator, host, fan = make_user("operator"), make_user("host"), make_user()
    tier = operator.post(
        "/api/tiers", json={"name": "Gold", "rank": 3, "commission_bps": 1200}
    ).json()
    operator.patch(f"/api/tiers/{tier['id']}", json={"commission_bps": 1300})
    show = host.post("/api/shows", json=SHOW).json()
    r = operator.post(f"/api/shows/{show['id']}/mutes", json={"user_id": fan.user["id"]})
    assert r.status_code in (200, 204), r.text
    host.post(f"/api/shows/{show['id']}/mutes", json={"user_id": make_user().user["id"]})

    entries = audit(operator)
    assert [e["action"] for e in entries] == ["room.mute", "tier.change", "tier.create"]
    change = entries[1]
    assert change["before"]["commission_bps"] == 1200 and change["after"]["commission_bps"] == 1300
    assert entries[2]["before"] is None and entries[2]["after"]["name"] == "Gold"
    assert [e["action"] for e in audit(operator, action="tier.", limit=1)] == ["tier.change"]
    older = audit(operator, before_id=entries[0]["id"])
    assert [e["id"] for e in older] == [e["id"] for e in entries[1:]]
