"""The Redis adapter of the bus port: every server node sees every room (scale-out).

Publishing is one Lua script (sequence number, bounded history, PUBLISH together), so the
per-channel sequence is one counter for all nodes and the history never has holes. A node
holds ONE pub/sub connection and fans each message out to its local subscribers, so Redis
sends a room's event once per node, not once per viewer.

Loss is never silent: if the pub/sub connection drops (or a sequence gap shows that messages
were missed), the node drops its local subscribers; clients reconnect with ``after=SEQ`` and
resume from the history kept in Redis (invariant 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from hawker.infra.bus import BusEvent, Subscription

log = logging.getLogger(__name__)

# A room idle this long forgets its sequence and history; a client coming back later is told
# to resync (the same as after a Redis restart) instead of Redis keeping every show forever.
IDLE_EXPIRY_SECONDS = 7 * 24 * 3600
SUBSCRIBE_TIMEOUT_SECONDS = 5.0

# KEYS: seq, history. ARGV: event JSON without seq, history size, expiry, pub/sub channel.
# The message is built here so the seq inside it is the one INCR gave, with no second trip.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local message = '{"seq":' .. seq .. ',' .. string.sub(ARGV[1], 2)
redis.call('RPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], message)
return seq
"""

# KEYS: seq, history. ARGV: after. The history holds seqs (seq - len + 1) .. seq with no
# holes, so the events after ARGV[1] are a tail slice: no need to fetch and parse all of it.
_HISTORY = """
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local kept = redis.call('LLEN', KEYS[2])
local start = math.max(0, tonumber(ARGV[1]) + 1 - (seq - kept + 1))
return {seq, redis.call('LRANGE', KEYS[2], start, -1)}
"""


class _Room:
    """This node's subscribers of one channel, and the next seq it expects (gap check)."""

    def __init__(self) -> None:
        self.subscribers: set[Subscription] = set()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.expect: int | None = None


def _event(channel: str, raw: bytes | str) -> BusEvent:
    message = json.loads(raw)
    return BusEvent(channel, message["seq"], message["type"], message["data"], message["at"])


class RedisBus:
    """Bus port over Redis; the same protocol as :class:`hawker.infra.bus.MemoryBus`."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "hawker:",
        history_size: int = 500,
        queue_size: int = 1000,
    ) -> None:
        self._url, self._prefix = url, prefix
        self._history_size, self._queue_size = history_size, queue_size
        self._redis: Redis = Redis.from_url(url)
        self._publish = self._redis.register_script(_PUBLISH)
        self._history = self._redis.register_script(_HISTORY)
        self._rooms: dict[str, _Room] = {}
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        # Serialises SUBSCRIBE/UNSUBSCRIBE until Redis confirms each: an UNSUBSCRIBE racing a
        # re-SUBSCRIBE of the same channel could otherwise confirm the wrong one.
        self._lock = asyncio.Lock()

    def _keys(self, channel: str) -> list[str]:
        # The hash tag keeps both keys of a channel in one slot (Redis Cluster-ready).
        return [f"{self._prefix}bus:{{{channel}}}:seq", f"{self._prefix}bus:{{{channel}}}:history"]

    def _topic(self, channel: str) -> str:
        return f"{self._prefix}bus:{channel}"

    async def publish(self, channel: str, type: str, data: dict[str, Any]) -> BusEvent:
        at = time.time()
        body = json.dumps({"type": type, "data": data, "at": at}, separators=(",", ":"))
        args: list[str | int] = [
            body,
            self._history_size,
            IDLE_EXPIRY_SECONDS,
            self._topic(channel),
        ]
        seq = await self._publish(keys=self._keys(channel), args=args)
        return BusEvent(channel, int(seq), type, data, at)

    async def history(self, channel: str, after: int) -> tuple[list[BusEvent], bool]:
        seq, raw = await self._history(keys=self._keys(channel), args=[max(after, -1)])
        events = [_event(channel, r) for r in raw]
        complete = after >= seq or (bool(events) and events[0].seq == after + 1)
        return events, complete

    async def last_seq(self, channel: str) -> int:
        value = await self._redis.get(self._keys(channel)[0])
        return int(value or 0)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        """Returns only once Redis confirmed the subscription, so a ``last_seq`` or
        ``history`` read afterwards cannot miss an event published in between."""
        sub = Subscription(self._queue_size)
        await self._join(channel, sub)
        try:
            yield sub
        finally:
            await asyncio.shield(self._leave(channel, sub))

    async def _join(self, channel: str, sub: Subscription) -> None:
        async with self._lock:
            pubsub = await self._connected()
            room = self._rooms.get(channel)
            if room is None:
                room = self._rooms[channel] = _Room()
                await pubsub.subscribe(self._topic(channel))
            room.subscribers.add(sub)
            try:
                await asyncio.wait_for(asyncio.shield(room.ready), SUBSCRIBE_TIMEOUT_SECONDS)
            except BaseException:
                await self._forget(channel, sub)
                raise

    async def _leave(self, channel: str, sub: Subscription) -> None:
        async with self._lock:
            await self._forget(channel, sub)

    async def _forget(self, channel: str, sub: Subscription) -> None:
        """Remove ``sub``; the last one out unsubscribes the node (it may already be gone
        from the room, dropped for being slow or for a gap)."""
        room = self._rooms.get(channel)
        if room is None:
            return  # dropped with a lost connection
        room.subscribers.discard(sub)
        if not room.subscribers and self._pubsub is not None:
            del self._rooms[channel]
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(self._topic(channel))

    async def _connected(self) -> PubSub:
        """The node's pub/sub connection, opened on first use. No automatic retry: a
        reconnect that silently re-subscribed would hide the events missed meanwhile."""
        if self._pubsub is None:
            name = f"{self._prefix.rstrip(':')}-bus-{uuid.uuid4().hex[:8]}"
            client = Redis.from_url(self._url, retry=Retry(NoBackoff(), 0), client_name=name)
            pubsub = self._pubsub = client.pubsub()
            # A private channel keeps the connection subscribed (and read) with no rooms.
            await pubsub.subscribe(f"{self._prefix}bus-node:{name}")
            self._reader = asyncio.create_task(self._read(client, pubsub), name="redis-bus-read")
        return self._pubsub

    async def _read(self, client: Redis, pubsub: PubSub) -> None:
        try:
            while True:
                message = await pubsub.get_message(timeout=None)
                if message is not None:
                    self._dispatch(message)
        except (RedisError, OSError) as e:
            log.warning("room bus lost its Redis pub/sub connection: %s", e)
        finally:
            self._lose(pubsub)
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()
                await client.aclose()

    def _dispatch(self, message: dict[str, Any]) -> None:
        topic = message["channel"].decode()
        room = self._rooms.get(topic.removeprefix(f"{self._prefix}bus:"))
        if room is None:
            return
        if message["type"] == "subscribe":
            if not room.ready.done():
                room.ready.set_result(None)
            return
        if message["type"] != "message":
            return
        event = _event(topic.removeprefix(f"{self._prefix}bus:"), message["data"])
        if room.ready.done():
            # Events in flight before the confirmation may arrive first; the gap check
            # starts with the first event after it.
            if room.expect is not None and event.seq != room.expect:
                log.warning("room bus missed events on %s; dropping subscribers", event.channel)
                for sub in room.subscribers:
                    sub.drop()
                room.subscribers.clear()
                room.expect = None
                return
            room.expect = event.seq + 1
        for sub in list(room.subscribers):
            if not sub.offer(event):
                room.subscribers.discard(sub)

    def _lose(self, pubsub: PubSub) -> None:
        """The connection is gone: drop every local subscriber; the next subscribe reconnects."""
        if self._pubsub is not pubsub:
            return
        for room in self._rooms.values():
            for sub in room.subscribers:
                sub.drop()
            if not room.ready.done():
                room.ready.set_exception(ConnectionError("Redis pub/sub connection lost"))
                room.ready.exception()  # retrieved: a joiner may have given up already
        self._rooms.clear()
        self._pubsub, self._reader = None, None

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._redis.aclose()
