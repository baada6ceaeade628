"""Followers hear about a followed host's new show and about it going live; nobody else does."""

from collections.abc import Callable

from tests.conftest import Api, assert_problem


def schedule(host: Api, title: str) -> int:
    r = host.post(
        "/api/shows",
        json={"title": title, "scheduled_start": "2026-12-24T18:00:00Z", "product_ids": []},
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_followers_are_notified_of_shows(
    make_user: Callable[..., Api], settle: Callable[[], int]
) -> None:
    host = make_user("host", name="Mia")
    fan, stranger = make_user(), make_user()
    before = schedule(host, "Before the follow")
    settle()  # told to its followers then: nobody yet
    assert fan.post(f"/api/hosts/{host.user['id']}/follow").status_code == 200
    show = schedule(host, "Holiday gifts")
    settle()
    assert host.post(f"/api/shows/{show}/start").status_code == 200
    settle()
    settle()  # a second pass applies nothing twice

    got = fan.get("/api/me/notifications").json()
    assert got["unread"] == 2
    assert [(n["kind"], n["text"], n["show_id"], n["live"]) for n in got["items"]] == [
        ("show.live", "Mia is live: Holiday gifts", show, True),
        ("show.scheduled", "Mia scheduled Holiday gifts", show, True),
    ]
    assert before not in {n["show_id"] for n in got["items"]}
    assert stranger.get("/api/me/notifications").json() == {"unread": 0, "items": []}

    newest = got["items"][0]["id"]
    assert fan.post("/api/me/notifications/read", json={"up_to": newest}).json() == {"unread": 0}
    assert all(n["read"] for n in fan.get("/api/me/notifications").json()["items"])
    assert_problem(fan.post("/api/me/notifications/read", json={"up_to": 0}), 422)
    assert_problem(fan.client.get("/api/me/notifications"), 401)
