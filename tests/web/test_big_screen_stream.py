"""The big screen's stream over real HTTP: whole frames as Server-Sent Events, one a second,
that take in an order paid while the stream is open."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx

from tests.web.conftest import PASSWORD, Market, build_market, make_operator
from tests.web.test_leaderboard_page import buy_and_pay


def frames(response: httpx.Response) -> Iterator[tuple[int, dict[str, Any]]]:
    event: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if event.get("event") == "snapshot":
                yield int(event["id"]), json.loads(event["data"])
            event = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(": ")
            event[field] = value


def test_stream_sends_whole_frames_that_follow_orders(live_server: Callable[..., Any]) -> None:
    server = live_server()
    m: Market = build_market(server.url)
    try:
        make_operator(server.settings, "ops@example.com")
        token = httpx.post(
            f"{m.base}/api/auth/login", json={"email": "ops@example.com", "password": PASSWORD}
        ).json()["token"]
        with httpx.stream(
            "GET",
            f"{m.base}/api/big-screen/stream",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            seen = frames(response)
            first_id, first = next(seen)
            assert first["totals"] == [] and first["rooms"][0]["show_id"] == m.show["id"]
            buy_and_pay(m, m.products[2]["skus"][0]["id"])  # $129.00
            for n, (event_id, frame) in enumerate(seen):
                assert event_id == first_id + n + 1  # one whole frame after another
                assert set(frame) == set(first)
                if frame["totals"]:
                    break
                assert n < 30, "the paid order never reached the stream"
            assert frame["totals"] == [{"currency": "USD", "gmv": 12900, "orders": 1}]
            assert frame["rooms"][0]["gmv"] == 12900
    finally:
        m.close()
