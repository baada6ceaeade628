"""Leaderboards rank by net GMV: a refund lowers a host as surely as a sale raises them;
merchants rank the same way; rising hosts compare this week with the one before."""

from collections.abc import Callable
from typing import Any

from tests.conftest import Api, assert_problem
from tests.creators.conftest import refund


def board(api: Api, which: str, **params: str) -> list[tuple[str, int, int]]:
    r = api.get(f"/api/leaderboards/{which}", params=params)
    assert r.status_code == 200, r.text
    return [(e["name"], e["gmv"], e["orders"]) for e in r.json()["entries"]]


def test_hosts_and_merchants_rank_by_net_gmv(
    sell: Callable[..., Any],
    shop: Callable[..., dict[str, Any]],
    settle: Callable[[], int],
) -> None:
    first = shop(stock=50, price=1000)
    second = shop(stock=50, price=3000)
    sell(quantity=2, ctx=first)  # 2000
    _, big = sell(quantity=1, ctx=second)  # 3000
    settle()
    viewer = first["buyer"]
    hosts = board(viewer, "hosts", period="today")
    names = {first["host"].user["id"]: "first", second["host"].user["id"]: "second"}
    assert [(g, n) for _, g, n in hosts] == [(3000, 1), (2000, 1)]
    top = viewer.get("/api/leaderboards/hosts").json()["entries"][0]
    assert names[top["id"]] == "second" and top["gmv_display"] == "$30.00"
    refund(second, big["id"], 1500)  # 1500 net: now below the first host
    settle()
    assert [g for _, g, _ in board(viewer, "hosts", period="week")] == [2000, 1500]
    assert [g for _, g, _ in board(viewer, "merchants", period="month")] == [2000, 1500]
    refund(second, big["id"])  # nothing left: off the board
    settle()
    assert [g for _, g, _ in board(viewer, "hosts")] == [2000]
    assert board(viewer, "hosts", currency="EUR") == []
    rising = viewer.get("/api/leaderboards/rising").json()["entries"]
    assert [(e["gmv"], e["previous_gmv"]) for e in rising] == [(2000, 0)]


def test_bad_leaderboard_requests(make_user: Callable[..., Api]) -> None:
    anyone = make_user()
    assert_problem(anyone.get("/api/leaderboards/everyone"), 422)
    assert_problem(anyone.get("/api/leaderboards/hosts", params={"period": "year"}), 422)
    assert_problem(anyone.get("/api/leaderboards/hosts", params={"currency": "usd"}), 422)
    assert anyone.client.get("/api/leaderboards/hosts").status_code == 200  # public
