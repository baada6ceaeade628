"""Shows: lifecycle, line-up, pins, permissions and bad input."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Api, assert_problem


def test_show_lifecycle_and_illegal_transitions(live_show: Callable[..., dict[str, Any]]) -> None:
    ctx = live_show(start=False)
    host, sid = ctx["host"], ctx["show"]["id"]
    assert ctx["show"]["status"] == "scheduled"
    assert [p["title"] for p in ctx["show"]["lineup"]] == ["Lipstick", "Serum"]
    assert host.post(f"/api/shows/{sid}/start").json()["status"] == "live"
    assert_problem(host.post(f"/api/shows/{sid}/start"), 409, "illegal_show_transition")
    ended = host.post(f"/api/shows/{sid}/end").json()
    assert ended["status"] == "ended" and ended["ended_at"]
    assert_problem(host.post(f"/api/shows/{sid}/start"), 409, "illegal_show_transition")
    assert_problem(host.post(f"/api/shows/{sid}/end"), 409, "illegal_show_transition")
    assert host.get(f"/api/shows/{sid}").json()["status"] == "ended"
    assert_problem(host.put(f"/api/shows/{sid}/lineup", json={"product_ids": []}), 409)


def test_a_scheduled_show_can_be_cancelled_but_not_started_after(
    live_show: Callable[..., dict[str, Any]],
) -> None:
    ctx = live_show(start=False)
    host, sid = ctx["host"], ctx["show"]["id"]
    cancelled = host.post(f"/api/shows/{sid}/end").json()
    assert cancelled["status"] == "ended" and cancelled["started_at"] is None
    body = assert_problem(host.post(f"/api/shows/{sid}/start"), 409, "illegal_show_transition")
    assert "ended" in body["detail"]
    assert [s["id"] for s in host.get("/api/shows?status=ended").json()] == [sid]
    assert host.get("/api/shows?status=scheduled").json() == []


def test_pin_needs_a_live_show_and_a_lineup_product(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show(start=False)
    host, sid, products = ctx["host"], ctx["show"]["id"], ctx["products"]
    assert_problem(
        host.post(f"/api/shows/{sid}/pin", json={"product_id": products[0]["id"]}),
        409,
        "show_not_live",
    )
    host.post(f"/api/shows/{sid}/start")
    stranger = (
        ctx["merchant"]
        .post(
            "/api/products",
            json={
                "title": "Other",
                "skus": [{"name": "x", "price": 1, "currency": "USD", "stock": 1}],
            },
        )
        .json()
    )
    assert_problem(
        host.post(f"/api/shows/{sid}/pin", json={"product_id": stranger["id"]}),
        422,
        "not_in_lineup",
    )
    pinned = host.post(f"/api/shows/{sid}/pin", json={"product_id": products[1]["id"]}).json()
    assert pinned["pinned"]["title"] == "Serum"
    assert host.post(f"/api/shows/{sid}/unpin").json()["pinned"] is None


def test_only_the_host_or_an_operator_controls_a_show(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show(start=False)
    sid, pid = ctx["show"]["id"], ctx["products"][0]["id"]
    other_host, shopper, operator = make_user("host"), make_user(), make_user("operator")
    for actor in (other_host, shopper):
        assert_problem(actor.post(f"/api/shows/{sid}/start"), 403, "forbidden")
        assert_problem(actor.patch(f"/api/shows/{sid}", json={"title": "x"}), 403)
    assert_problem(
        shopper.post("/api/shows", json={"title": "t", "scheduled_start": "2026-01-01T10:00:00Z"}),
        403,
    )
    assert operator.post(f"/api/shows/{sid}/start").status_code == 200
    message = shopper.post(f"/api/shows/{sid}/chat", json={"text": "hello"}).json()
    target = {"user_id": shopper.user["id"]}
    for actor in (other_host, shopper):
        assert_problem(actor.post(f"/api/shows/{sid}/pin", json={"product_id": pid}), 403)
        assert_problem(actor.post(f"/api/shows/{sid}/unpin"), 403)
        assert_problem(actor.put(f"/api/shows/{sid}/lineup", json={"product_ids": []}), 403)
        assert_problem(actor.delete(f"/api/shows/{sid}/chat/{message['id']}"), 403)
        assert_problem(actor.post(f"/api/shows/{sid}/mutes", json=target), 403)
        assert_problem(actor.delete(f"/api/shows/{sid}/mutes/{shopper.user['id']}"), 403)
        assert_problem(actor.post(f"/api/shows/{sid}/end"), 403)
    assert operator.post(f"/api/shows/{sid}/pin", json={"product_id": pid}).status_code == 200
    assert operator.delete(f"/api/shows/{sid}/chat/{message['id']}").status_code == 204
    assert operator.post(f"/api/shows/{sid}/mutes", json=target).status_code == 204
    assert_problem(shopper.post(f"/api/shows/{sid}/chat", json={"text": "hi"}), 403, "muted")
    shown = ctx["host"].get(f"/api/shows/{sid}").json()
    assert shown["title"] == "Glow" and shown["pinned"]["id"] == pid
    assert ctx["host"].get(f"/api/shows/{sid}/chat").json() == []


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/api/shows/999", None, 404),
        ("get", "/api/shows/abc", None, 422),
        ("get", "/api/shows?status=bogus", None, 422),
        ("post", "/api/shows/999/start", None, 404),
        ("post", "/api/shows", {"title": "", "scheduled_start": "soon"}, 422),
        (
            "post",
            "/api/shows",
            {"title": "t", "scheduled_start": "2026-01-01T00:00:00", "product_ids": [999]},
            404,
        ),
        ("post", "/api/shows/{sid}/pin", {"product_id": "x"}, 422),
        ("post", "/api/shows/{sid}/chat", {"text": 5}, 422),
        ("delete", "/api/shows/{sid}/chat/999", None, 404),
        ("post", "/api/shows/{sid}/mutes", {"user_id": 999}, 404),
        ("post", "/api/shows/{sid}/mutes", {"user_id": "x"}, 422),
        ("post", "/api/shows", {"title": "t", "scheduled_start": "2026-01-01", "x": 1}, 422),
        ("post", "/api/shows", {"title": 5, "scheduled_start": "2026-01-01"}, 422),
        ("patch", "/api/shows/999", {"title": "x"}, 404),
        ("patch", "/api/shows/{sid}", {"title": ""}, 422),
        ("patch", "/api/shows/{sid}", {"cover_url": "javascript:alert(1)"}, 422),
        ("patch", "/api/shows/{sid}", {"status": "ended"}, 422),
        ("put", "/api/shows/999/lineup", {"product_ids": []}, 404),
        ("put", "/api/shows/{sid}/lineup", {"product_ids": "x"}, 422),
        ("put", "/api/shows/{sid}/lineup", {"product_ids": [999]}, 404),
        ("put", "/api/shows/{sid}/lineup", {"product_ids": [1, 1]}, 422),
        ("put", "/api/shows/{sid}/lineup", {}, 422),
        ("post", "/api/shows/999/end", None, 404),
        ("post", "/api/shows/999/pin", {"product_id": 1}, 404),
        ("post", "/api/shows/{sid}/pin", {"product_id": 0}, 422),
        ("post", "/api/shows/{sid}/pin", {}, 422),
        ("post", "/api/shows/999/unpin", None, 404),
        ("get", "/api/shows/999/chat", None, 404),
        ("get", "/api/shows/{sid}/chat?limit=0", None, 422),
        ("get", "/api/shows/{sid}/chat?limit=x", None, 422),
        ("post", "/api/shows/999/chat", {"text": "hi"}, 404),
        ("post", "/api/shows/{sid}/chat", {"text": "   "}, 422),
        ("post", "/api/shows/{sid}/chat", {"text": "x" * 201}, 422),
        ("post", "/api/shows/{sid}/chat", {"text": "hi", "as": 1}, 422),
        ("delete", "/api/shows/999/chat/1", None, 404),
        ("delete", "/api/shows/{sid}/chat/x", None, 422),
        ("delete", "/api/shows/999/mutes/1", None, 404),
        ("delete", "/api/shows/{sid}/mutes/x", None, 422),
        ("get", "/api/shows/999/viewers", None, 404),
        ("get", "/api/shows?limit=0", None, 422),
        ("get", "/api/shows?host_id=x", None, 422),
    ],
)
def test_bad_input_is_a_problem_and_changes_nothing(
    live_show: Callable[..., dict[str, Any]], method: str, url: str, body: Any, status: int
) -> None:
    ctx = live_show()
    host, sid = ctx["host"], ctx["show"]["id"]
    before = host.get(f"/api/shows/{sid}").json()
    kwargs = {"json": body} if body is not None else {}
    assert_problem(getattr(host, method)(url.format(sid=sid), **kwargs), status)
    assert host.get(f"/api/shows/{sid}").json() == before
    assert len(host.get("/api/shows").json()) == 1


def test_unauthenticated_writes_are_refused(live_show: Callable[..., dict[str, Any]]) -> None:
    ctx = live_show()
    client, sid = ctx["host"].client, ctx["show"]["id"]
    assert_problem(client.post(f"/api/shows/{sid}/end"), 401, "unauthenticated")
    assert_problem(client.post(f"/api/shows/{sid}/chat", json={"text": "hi"}), 401)
