"""Two server nodes sharing Redis and one database serve one room: viewers, chat, budgets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.app import create_app
from hawker.core.config import Settings
from hawker.infra.room_state_redis import RedisRoomState
from hawker.infra.runtime import Runtime
from hawker.live.errors import ChatRateLimited
from hawker.live.hub import RoomHub
from hawker.live.service import room_channel
from tests.conftest import Api, assert_problem
from tests.live.test_room_socket import connect, receive_until

pytestmark = pytest.mark.parametrize("backend", ["postgres"])  # scale-out: PostgreSQL + Redis


@pytest.fixture
def node_b(settings: Settings, client: TestClient) -> Iterator[TestClient]:
    """A second server process's app on the same database file and Redis (after ``client``,
    which created the schema)."""
    with TestClient(create_app(settings.model_copy()), base_url="http://testserver") as c:
        yield c


def test_a_room_spans_two_nodes(
    live_show: Callable[..., dict[str, Any]],
    make_user: Callable[..., Api],
    node_b: TestClient,
) -> None:
    ctx = live_show()
    sid, node_a = ctx["show"]["id"], ctx["host"].client
    alice = make_user(name="Alice")
    on_b = Api(node_b, alice.token, alice.user)
    with connect(node_a, sid) as watcher_a, connect(node_b, sid, alice) as chatter_b:
        watcher_a.receive_json()
        chatter_b.receive_json()
        assert on_b.get(f"/api/shows/{sid}/viewers").json() == {"count": 2}
        assert ctx["host"].get(f"/api/shows/{sid}/viewers").json() == {"count": 2}
        chatter_b.send_json({"type": "chat", "text": "hi from node b"})
        assert receive_until(watcher_a, "chat")["data"]["text"] == "hi from node b"
        chatter_b.send_json({"type": "like", "count": 7})
        assert receive_until(watcher_a, "likes")["data"]["total"] == 7
        # One chat budget (3 per 10 s here) across nodes: 1 spent on B, 2 on A, then refused.
        for _ in range(2):
            assert alice.post(f"/api/shows/{sid}/chat", json={"text": "a"}).status_code == 201
        assert_problem(on_b.post(f"/api/shows/{sid}/chat", json={"text": "b"}), 429)
    assert ctx["host"].get(f"/api/shows/{sid}/viewers").json() == {"count": 0}
    # A page rendered on node B resumes on node A with nothing missed (one sequence).
    history = [m for m in _replay(node_a, sid)]
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))


def _replay(client: TestClient, sid: int) -> list[dict[str, Any]]:
    with connect(client, sid, after=0) as ws:
        hello = ws.receive_json()
        return [ws.receive_json() for _ in range(hello["seq"])]


@pytest.fixture
async def make_hub(settings: Settings) -> AsyncIterator[Callable[..., RoomHub]]:
    """Hubs of separate nodes (own runtime, own room state) on one Redis prefix."""
    hubs: list[RoomHub] = []

    def make(heartbeat_ttl: float = 5.0) -> RoomHub:
        rt = Runtime.from_settings(settings)
        rt.room_state = RedisRoomState(
            settings.redis_url, prefix=settings.redis_prefix, heartbeat_ttl=heartbeat_ttl
        )
        hubs.append(RoomHub(rt))
        return hubs[-1]

    yield make
    for hub in hubs:
        await hub.rt.close()


async def test_viewers_sum_over_nodes_and_a_dead_nodes_age_out(
    make_hub: Callable[..., RoomHub],
) -> None:
    alive, doomed = make_hub(heartbeat_ttl=0.5), make_hub(heartbeat_ttl=0.5)
    await asyncio.gather(*(alive.join(1) for _ in range(40)), *(doomed.join(1) for _ in range(60)))
    assert await alive.viewers(1) == await doomed.viewers(1) == 100
    await asyncio.gather(*(doomed.leave(1) for _ in range(10)))
    assert await alive.viewers(1) == 90
    async with alive.rt.bus.subscribe(room_channel(1)) as sub:
        await alive.flush()
        assert (await asyncio.wait_for(sub.get(), 5)).data == {"count": 90}
        await doomed.flush()  # the same total: announced once, by whichever node saw it first
        # `doomed` stops heartbeating (killed); `alive` keeps flushing.
        for _ in range(8):
            await asyncio.sleep(0.1)
            await alive.flush()
        assert (await asyncio.wait_for(sub.get(), 5)).data == {"count": 40}
        assert sub.queue.empty()
    assert await alive.viewers(1) == 40


async def test_one_chat_budget_per_user_across_nodes_under_a_burst(
    make_hub: Callable[..., RoomHub], settings: Settings
) -> None:
    hubs = [make_hub() for _ in range(3)]

    async def attempt(i: int, user_id: int) -> bool:
        try:
            await hubs[i % 3].rate.check(1, user_id)
        except ChatRateLimited:
            return False
        return True

    allowed = await asyncio.gather(*(attempt(i, 7) for i in range(90)))
    assert sum(allowed) == settings.chat_rate_per_10s
    assert await attempt(0, 8) and await attempt(1, 7) is False  # budgets are per user
