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
    assert operator.post(f"/api/shows/{sid}/pin", json={"product_id": pid}).status_code == 200
    assert ctx["host"].get(f"/api/shows/{sid}").json()["title"] == "Glow"


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
