"""Two nodes on one PostgreSQL database and one Redis, behind nginx: a room is one room whichever
node a viewer, host or buyer reaches. Chat, pins, deals, purchases, payments and refunds cross
nodes; a viewer resumes on the other node without a gap; the deal never oversells."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
import websockets

from hawker.sim.client import HawkerClient
from tests.e2e.conftest import Cluster

# a cluster always runs on PostgreSQL and Redis: once, not once per backend
pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgres"])]
GOOD_CARD = "4242424242424242"


class Viewer:
    """One room socket; keeps every event it received, in order."""

    def __init__(self, base_url: str, show_id: int, token: str = "", after: int = 0) -> None:
        ws = base_url.replace("http://", "ws://")
        self.url = f"{ws}/ws/shows/{show_id}?after={after}&token={token}"
        self.events: list[dict[str, Any]] = []

    async def __aenter__(self) -> Viewer:
        self.socket = await websockets.connect(self.url)
        self._reader = asyncio.create_task(self._read())
        await self.wait_for(lambda e: e["type"] == "hello")
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._reader.cancel()
        await self.socket.close()

    async def _read(self) -> None:
        async for raw in self.socket:
            self.events.append(json.loads(raw))

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def wait_for(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The latest event that matches, waiting up to 10 s for one."""
        async with asyncio.timeout(10):
            while True:
                found = [e for e in self.events if match(e)]
                if found:
                    return found[-1]
                await asyncio.sleep(0.02)

    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events if e["type"] not in ("hello", "resync", "error")]


async def account(http: httpx.AsyncClient, name: str, *roles: str) -> HawkerClient:
    client = HawkerClient(http)
    await client.sign_up(
        f"{name}-{uuid.uuid4().hex[:6]}@example.com", "pass-word-1", name, [*roles]
    )
    return client


def test_a_room_spans_nodes(cluster: Callable[..., Cluster]) -> None:
    c = cluster(2)
    a, b = c.nodes

    async def scenario() -> None:
        async with (
            httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
            httpx.AsyncClient(base_url=b.url, timeout=30) as on_b,
            httpx.AsyncClient(
                base_url=c.url, timeout=30, limits=httpx.Limits(max_connections=40)
            ) as balanced,
        ):
            merchant = await account(on_a, "merchant", "merchant")
            host = await account(on_a, "host", "host")
            chatter = await account(on_b, "chatter", "shopper")
            product = await merchant.call(
                "POST",
                "/api/products",
                json={
                    "title": "Hoodie",
                    "skus": [{"name": "M", "price": 5000, "currency": "USD", "stock": 20}],
                },
            )
            show = await host.call(
                "POST",
                "/api/shows",
                json={
                    "title": "Two nodes",
                    "scheduled_start": "2026-01-01T00:00:00Z",
                    "product_ids": [product["id"]],
                },
            )
            await host.call("POST", f"/api/shows/{show['id']}/start")

            async with (
                Viewer(b.url, show["id"]) as on_b_viewer,
                Viewer(a.url, show["id"], chatter.token) as on_a_chatter,
            ):
                # presence is summed over nodes
                await on_b_viewer.wait_for(
                    lambda e: e["type"] == "viewers" and e["data"]["count"] == 2
                )
                # a pin on node A and a chat sent to node A reach the viewer on node B
                await host.call(
                    "POST", f"/api/shows/{show['id']}/pin", json={"product_id": product["id"]}
                )
                await on_b_viewer.wait_for(lambda e: e["type"] == "pin")
                await on_a_chatter.send({"type": "chat", "text": "hello from A"})
                chat = await on_b_viewer.wait_for(
                    lambda e: e["type"] == "chat" and e["data"]["text"] == "hello from A"
                )

                # a deal launched through node B; buyers spread over both nodes by nginx
                host_b = HawkerClient(on_b, host.token)
                deal = await host_b.call(
                    "POST",
                    f"/api/shows/{show['id']}/deals",
                    json={
                        "sku_id": product["skus"][0]["id"],
                        "deal_price": 1999,
                        "quantity": 10,
                        "per_buyer_limit": 1,
                        "duration_seconds": 600,
                    },
                )
                await on_b_viewer.wait_for(lambda e: e["type"] == "deal.started")
                buyers = [
                    HawkerClient(balanced, (await account(balanced, f"b{i}", "shopper")).token)
                    for i in range(30)
                ]
                results = await asyncio.gather(
                    *(
                        buyer.http.post(
                            "/api/orders",
                            json={"items": [{"deal_id": deal["id"], "quantity": 1}]},
                            headers=buyer.headers | {"Idempotency-Key": uuid.uuid4().hex},
                        )
                        for buyer in buyers
                    )
                )
                won = [r for r in results if r.status_code == 201]
                assert len(won) == 10, [r.status_code for r in results]
                assert {r.status_code for r in results} == {201, 409}
                await on_b_viewer.wait_for(
                    lambda e: e["type"] == "deal.stock" and e["data"]["left"] == 0
                )

                # an order placed on one node is paid on the other; the ticker crosses too
                winner = buyers[results.index(won[0])]
                order_id = won[0].json()["id"]
                paid = await HawkerClient(on_b, winner.token).call(
                    "POST",
                    f"/api/orders/{order_id}/pay",
                    json={"card": GOOD_CARD},
                    idempotent=True,
                )
                assert paid["status"] == "paid"
                await on_a_chatter.wait_for(lambda e: e["type"] == "purchase")
                # and refunded through the other node: the sandbox provider is shared
                refunded = await HawkerClient(on_a, merchant.token).call(
                    "POST", f"/api/orders/{order_id}/refund", idempotent=True
                )
                assert refunded["status"] == "refunded"

                last = on_b_viewer.seqs()[-1]
                seqs = on_b_viewer.seqs()
                assert seqs == list(range(seqs[0], last + 1)), "one gap-free sequence per room"

            # the viewer of node B comes back on node A and misses nothing said meanwhile
            async with Viewer(a.url, show["id"], chatter.token) as talker:
                await talker.send({"type": "chat", "text": "while you were away"})
                await talker.wait_for(
                    lambda e: e["type"] == "chat" and e["data"]["text"] == "while you were away"
                )
            async with Viewer(a.url, show["id"], after=last) as back:
                await back.wait_for(
                    lambda e: e["type"] == "chat" and e["data"]["text"] == "while you were away"
                )
                assert not [e for e in back.events if e["type"] == "resync"]
                assert back.seqs()[0] == last + 1
            assert chat["seq"] < last

    asyncio.run(scenario())
    # invariant 1 on the database: the deal's units add up and nothing was oversold
    ((quantity, available, reserved, sold, returned),) = a.query(
        "SELECT quantity, available, reserved, sold, returned FROM flash_deals"
    )
    assert available + reserved + sold + returned == quantity == 10
    held = a.query("SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE state = 'held'")
    assert (reserved, available) == (held[0][0], 0) and reserved == 9
