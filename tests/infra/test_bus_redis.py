"""The Redis bus as several server nodes: one room, one sequence, nothing lost on faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from hawker.infra.bus import BusEvent, SubscriberDropped, Subscription
from hawker.infra.bus_redis import RedisBus

Nodes = Callable[..., RedisBus]


@pytest.fixture
async def node(redis_url: str, redis_prefix: str) -> AsyncIterator[Nodes]:
    """``node()`` starts one more server node's bus on the test's shared key prefix."""
    made: list[RedisBus] = []

    def make(**kw: int) -> RedisBus:
        made.append(RedisBus(redis_url, prefix=redis_prefix, **kw))
        return made[-1]

    yield make
    for bus in made:
        await bus.close()


async def _kill_pubsub(redis_url: str, prefix: str) -> int:
    """CLIENT KILL every pub/sub connection of buses using ``prefix`` (a network fault)."""
    admin = aioredis.Redis.from_url(redis_url)
    killed = 0
    for client in await admin.client_list():
        if client["name"].startswith(prefix.rstrip(":") + "-bus-"):
            killed += await admin.client_kill_filter(_id=client["id"])
    await admin.aclose()
    return killed


async def _take(sub: Subscription, n: int) -> list[BusEvent]:
    return [await asyncio.wait_for(sub.get(), 5) for _ in range(n)]


async def test_publish_on_one_node_reaches_subscribers_on_another(node: Nodes) -> None:
    a, b = node(), node()
    async with b.subscribe("room:1") as on_b, a.subscribe("room:1") as on_a:
        await a.publish("room:1", "chat", {"text": "from a"})
        await b.publish("room:1", "chat", {"text": "from b"})
        for sub in (on_a, on_b):
            assert [(e.seq, e.data["text"]) for e in await _take(sub, 2)] == [
                (1, "from a"),
                (2, "from b"),
            ]
    assert await a.last_seq("room:1") == await b.last_seq("room:1") == 2


async def test_one_gapless_sequence_under_many_concurrent_publishers(node: Nodes) -> None:
    nodes = [node(history_size=2000, queue_size=2000) for _ in range(3)]
    publishers, each = 60, 20

    async def publisher(p: int) -> list[int]:
        bus = nodes[p % len(nodes)]
        return [(await bus.publish("room:1", "like", {"p": p, "i": i})).seq for i in range(each)]

    async with nodes[0].subscribe("room:1") as s0, nodes[1].subscribe("room:1") as s1:
        results = await asyncio.gather(*(publisher(p) for p in range(publishers)))
        total = publishers * each
        seen = [await _take(s, total) for s in (s0, s1)]
    issued = sorted(seq for r in results for seq in r)
    assert issued == list(range(1, total + 1))  # unique and gapless across nodes
    for r in results:
        assert r == sorted(r)  # one publisher's events keep its order
    for events in seen:  # every node delivers the one order of the room
        assert [e.seq for e in events] == list(range(1, total + 1))
    assert seen[0] == seen[1]
    history, complete = await nodes[2].history("room:1", 0)
    assert complete and history == seen[0]


async def test_subscribe_then_read_misses_nothing_published_meanwhile(node: Nodes) -> None:
    """The room socket's order: subscribe, read last_seq, replay history up to it, then take
    the subscription after it. Publishers on another node never stop meanwhile."""
    publisher, viewer_node = node(history_size=5000), node(history_size=5000)
    stop = asyncio.Event()

    async def publish_forever() -> None:
        while not stop.is_set():
            await publisher.publish("room:1", "chat", {})

    tasks = [asyncio.create_task(publish_forever()) for _ in range(8)]
    try:
        for _ in range(20):
            # a client that saw the room up to ``seen`` (recent, so the history reaches back)
            seen = await viewer_node.last_seq("room:1")
            async with viewer_node.subscribe("room:1") as sub:
                last = await viewer_node.last_seq("room:1")
                history, complete = await viewer_node.history("room:1", seen)
                assert complete
                replayed = [e.seq for e in history if e.seq <= last]
                live: list[int] = []
                while not live or live[-1] < last + 20:
                    event = await asyncio.wait_for(sub.get(), 5)
                    if event.seq > last:
                        live.append(event.seq)
            assert replayed + live == list(range(seen + 1, live[-1] + 1))
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_killed_pubsub_drops_subscribers_who_resume_losslessly(
    node: Nodes, redis_url: str, redis_prefix: str
) -> None:
    a, b = node(), node()
    for i in range(3):
        await a.publish("room:1", "chat", {"i": i})
    async with b.subscribe("room:1") as sub, b.subscribe("room:2") as other:
        await a.publish("room:1", "chat", {"i": 3})
        seen = [e.seq for e in await _take(sub, 1)]
        assert await _kill_pubsub(redis_url, redis_prefix) >= 1
        for i in range(4, 10):  # published while node B is deaf
            await a.publish("room:1", "chat", {"i": i})
        for dropped in (sub, other):
            with pytest.raises(SubscriberDropped):
                await asyncio.wait_for(dropped.get(), 5)
    # The client reconnects (node B opens a new pub/sub connection) and resumes after seq 4.
    async with b.subscribe("room:1") as again:
        last = await b.last_seq("room:1")
        missed, complete = await b.history("room:1", after=seen[-1])
        await a.publish("room:1", "chat", {"i": 10})
        fresh = [e for e in await _take(again, 1) if e.seq > last]
    assert complete
    assert seen + [e.seq for e in missed] + [e.seq for e in fresh] == list(range(4, 12))
    assert [e.data["i"] for e in missed] == list(range(4, 10))


async def test_history_survives_a_node_restart(node: Nodes) -> None:
    first = node(history_size=50)
    for i in range(30):
        await first.publish("room:1", "chat", {"i": i})
    await first.close()
    restarted = node(history_size=50)
    events, complete = await restarted.history("room:1", after=25)
    assert complete and [e.data["i"] for e in events] == [25, 26, 27, 28, 29]
    assert (await restarted.publish("room:1", "chat", {})).seq == 31


async def test_many_subscribers_on_a_node_join_and_leave_concurrently(node: Nodes) -> None:
    """Subscribe/unsubscribe churn on one node (one pub/sub connection) never leaves a
    confirmed subscriber deaf: each one sees the event published right after it joined."""
    a, b = node(), node()

    async def viewer(v: int) -> None:
        for _ in range(5):
            async with b.subscribe(f"room:{v % 3}") as sub:
                sent = await a.publish(f"room:{v % 3}", "chat", {"v": v})
                while (await asyncio.wait_for(sub.get(), 5)).seq < sent.seq:
                    pass

    await asyncio.gather(*(viewer(v) for v in range(60)))
