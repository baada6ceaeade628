"""Host profiles: a host sets a bio and up to three catalogue categories; anyone reads the
public profile with followers, tier, the live show and upcoming shows."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.conftest import Api, assert_problem


def _categories(operator: Api, *slugs: str) -> list[int]:
    ids = []
    for slug in slugs:
        r = operator.post("/api/categories", json={"slug": slug, "name": slug.title()})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def _show(host: Api, title: str, start: bool = False) -> int:
    when = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = host.post("/api/shows", json={"title": title, "scheduled_start": when, "product_ids": []})
    assert r.status_code == 201, r.text
    if start:
        assert host.post(f"/api/shows/{r.json()['id']}/start").status_code == 200
    return int(r.json()["id"])


def test_host_sets_a_profile_anyone_reads(make_user: Callable[..., Api]) -> None:
    operator, fan = make_user("operator"), make_user()
    host = make_user("host", name="Ana Glow")
    beauty, tea, home = _categories(operator, "beauty", "tea", "home")
    host_id = host.user["id"]
    empty = fan.get(f"/api/hosts/{host_id}").json()
    assert (empty["bio"], empty["categories"], empty["tier"], empty["live"]) == ("", [], None, None)

    bio = "Skincare & <b>tea</b> every Friday.\r\nAsk me anything!  "
    r = host.put("/api/me/host-profile", json={"bio": bio, "category_ids": [tea, beauty, tea]})
    assert r.status_code == 200, r.text
    assert r.json()["bio"] == "Skincare & <b>tea</b> every Friday.\nAsk me anything!"  # raw text
    assert [c["slug"] for c in r.json()["categories"]] == ["tea", "beauty"]  # host's order, once

    operator.post("/api/tiers", json={"name": "Gold", "rank": 1, "commission_bps": 900})
    operator.post("/api/tiers/recompute")
    later = _show(host, "Friday tea")
    live = _show(host, "Glow live", start=True)
    fan.post(f"/api/hosts/{host_id}/follow")
    profile = fan.get(f"/api/hosts/{host_id}").json()
    assert (profile["name"], profile["followers"], profile["following"]) == ("Ana Glow", 1, True)
    assert profile["tier"] == "Gold"
    assert (profile["live"]["id"], profile["live"]["status"]) == (live, "live")
    assert [s["id"] for s in profile["upcoming"]] == [later]
    anonymous = fan.client.get(f"/api/hosts/{host_id}").json()  # public, nobody follows
    assert (anonymous["following"], anonymous["bio"]) == (False, profile["bio"])

    host.put("/api/me/host-profile", json={"bio": "", "category_ids": [home]})
    again = fan.get(f"/api/hosts/{host_id}").json()
    assert (again["bio"], [c["slug"] for c in again["categories"]]) == ("", ["home"])


def test_profile_rules(make_user: Callable[..., Api]) -> None:
    operator, shopper, host = make_user("operator"), make_user(), make_user("host")
    [beauty] = _categories(operator, "beauty")
    good = {"bio": "Hi", "category_ids": [beauty]}
    assert_problem(shopper.put("/api/me/host-profile", json=good), 403)
    assert_problem(shopper.client.put("/api/me/host-profile", json=good), 401)
    assert_problem(host.put("/api/me/host-profile", json={**good, "category_ids": [999]}), 422,
                   "unknown_category")  # fmt: skip
    too_many = [beauty, *_categories(operator, "a", "b", "c")]
    for bad in (
        {"bio": "x" * 501},
        {"category_ids": too_many},
        {"category_ids": [0]},
        {"category_ids": ["beauty"]},
        {**good, "avatar": "x"},
    ):
        assert_problem(host.put("/api/me/host-profile", json=bad), 422)
    assert host.get(f"/api/hosts/{host.user['id']}").json()["bio"] == ""  # nothing changed
    assert host.put("/api/me/host-profile", json={"bio": "x" * 500}).status_code == 200
    assert_problem(host.get(f"/api/hosts/{shopper.user['id']}"), 404, "not_a_host")
    assert_problem(host.get("/api/hosts/999999"), 404, "not_a_host")
