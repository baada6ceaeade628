"""Both bus adapters keep the port's promises: per-channel order, bounded history, resume."""

import asyncio
import json

import pytest

from hawker.infra.bus import SubscriberDropped
from tests.infra.conftest import MakeBus


async def test_sequence_is_per_channel_and_subscribers_see_order(make_bus: MakeBus) -> None:
    bus = make_bus(history_size=10)
    async with bus.subscribe("room:1") as sub:
        for i in range(3):
            await bus.publish("room:1", "chat", {"i": i})
        await bus.publish("room:2", "chat", {"i": 99})
        got = [await asyncio.wait_for(sub.get(), 5) for _ in range(3)]
    assert [e.seq for e in got] == [1, 2, 3]
    assert [e.data["i"] for e in got] == [0, 1, 2]
    assert await bus.last_seq("room:2") == 1


async def test_history_resumes_after_seq_and_reports_gaps(make_bus: MakeBus) -> None:
    bus = make_bus(history_size=5)
    for i in range(8):
        await bus.publish("room:1", "chat", {"i": i})
    events, complete = await bus.history("room:1", after=5)
    assert [e.seq for e in events] == [6, 7, 8] and complete
    assert [e.data["i"] for e in events] == [5, 6, 7]
    events, complete = await bus.history("room:1", after=1)  # seq 2 and 3 fell out of history
    assert [e.seq for e in events] == [4, 5, 6, 7, 8] and not complete
    events, complete = await bus.history("room:1", after=8)
    assert events == [] and complete
    events, complete = await bus.history("room:9", after=0)  # a room nobody spoke in
    assert events == [] and complete


async def test_slow_subscriber_is_dropped_not_buffered_forever(make_bus: MakeBus) -> None:
    bus = make_bus(history_size=5, queue_size=3)
    async with bus.subscribe("room:1") as slow, bus.subscribe("room:1") as fast:
        for i in range(5):
            await bus.publish("room:1", "chat", {"i": i})
            if i < 4:
                await asyncio.wait_for(fast.get(), 5)
        with pytest.raises(SubscriberDropped):
            for _ in range(5):
                await asyncio.wait_for(slow.get(), 5)
        assert (await asyncio.wait_for(fast.get(), 5)).seq == 5


async def test_events_keep_their_payload_and_time(make_bus: MakeBus) -> None:
    bus = make_bus()
    async with bus.subscribe("room:1") as sub:
        sent = await bus.publish("room:1", "chat", {"text": "héllo 👋", "n": [1, None]})
        got = await asyncio.wait_for(sub.get(), 5)
    assert got == sent
    assert (await bus.history("room:1", 0))[0] == [sent]


async def test_push_hands_queued_then_live_events_to_the_sink_in_order(make_bus: MakeBus) -> None:
    bus = make_bus(queue_size=50)
    got: list[int] = []
    async with bus.subscribe("room:1") as sub:
        for i in range(3):
            await bus.publish("room:1", "chat", {"i": i})
        await asyncio.sleep(0.2)  # the Redis adapter delivers through its reader task
        sub.push_to(lambda e: got.append(e.seq) is None)
        for i in range(3, 20):
            await bus.publish("room:1", "chat", {"i": i})
        for _ in range(100):
            if len(got) == 20:
                break
            await asyncio.sleep(0.05)
    assert got == list(range(1, 21))


async def test_a_sink_that_falls_behind_drops_the_subscriber(make_bus: MakeBus) -> None:
    bus = make_bus()
    async with bus.subscribe("room:1") as sub:
        sub.push_to(lambda e: e.seq < 3)
        for i in range(5):
            await bus.publish("room:1", "chat", {"i": i})
        with pytest.raises(SubscriberDropped):
            await asyncio.wait_for(sub.get(), 5)


async def test_event_text_is_its_message_encoded_once(make_bus: MakeBus) -> None:
    bus = make_bus()
    sent = await bus.publish("room:1", "chat", {"text": "héllo 👋"})
    assert json.loads(sent.text) == sent.as_message()
    assert sent.text is sent.text
