"""Training: an MCN publishes a programme, a host completes its lessons and is certified, and
a tier that requires the certificate takes the host only then."""

from collections.abc import Callable

from tests.conftest import Api, assert_problem


def test_certificate_opens_a_tier(make_user: Callable[..., Api]) -> None:
    agency, host, operator = (
        make_user("mcn", name="Academy"),
        make_user("host"),
        make_user("operator"),
    )
    made = agency.post(
        "/api/programmes",
        json={
            "title": "Selling live 101",
            "lessons": [{"title": "Lighting"}, {"title": "Pinning", "body": "Pin early."}],
        },
    )
    assert made.status_code == 201, made.text
    programme = made.json()
    tier = operator.post(
        "/api/tiers",
        json={"name": "Pro", "rank": 3, "commission_bps": 1500,
              "required_programme_id": programme["id"]},
    ).json()  # fmt: skip
    assert operator.post("/api/tiers/recompute").json() == []  # not certified yet: no tier

    first, second = (x["id"] for x in programme["lessons"])
    path = f"/api/programmes/{programme['id']}/lessons"
    after_one = host.post(f"{path}/{first}/complete").json()
    assert [x["done"] for x in after_one["lessons"]] == [True, False]
    assert after_one["certified"] is False
    host.post(f"{path}/{first}/complete")  # again: nothing changes
    assert host.post(f"{path}/{second}/complete").json()["certified"] is True

    [summary] = make_user().get("/api/programmes").json()
    assert (summary["mcn"], summary["lessons"], summary["certified"]) == ("Academy", 2, 1)
    [move] = operator.post("/api/tiers/recompute").json()
    assert (move["host_id"], move["to_tier"]) == (host.user["id"], tier["id"])
    assert f"training {programme['id']} done" in move["reason"]


def test_training_rules(make_user: Callable[..., Api]) -> None:
    agency, host, shopper = make_user("mcn"), make_user("host"), make_user()
    body = {"title": "T", "lessons": [{"title": "L"}]}
    assert_problem(shopper.post("/api/programmes", json=body), 403)
    assert_problem(agency.post("/api/programmes", json={"title": "T", "lessons": []}), 422)
    p = agency.post("/api/programmes", json=body).json()
    lesson = p["lessons"][0]["id"]
    assert_problem(shopper.post(f"/api/programmes/{p['id']}/lessons/{lesson}/complete"), 403)
    assert_problem(host.post(f"/api/programmes/{p['id']}/lessons/{lesson + 99}/complete"), 404)
    assert_problem(host.get("/api/programmes/999"), 404)
