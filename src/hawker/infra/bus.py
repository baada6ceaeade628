"""The bus port: per-channel ordered events with bounded history, and its in-process adapter.

Channels are rooms (``room:{show_id}``) and domain topics (``domain``). Each event gets a
per-channel sequence number. A subscriber that falls behind is dropped rather than allowed to
grow memory without bound; the client reconnects with ``after=SEQ`` and resumes from history.
The Redis adapter (scale-out) implements the same protocol.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol


@dataclass(frozen=True)
class BusEvent:
    channel: str
    seq: int
    type: str
    data: dict[str, Any]
    at: float = field(default_factory=time.time)

    def as_message(self) -> dict[str, Any]:
        return {"seq": self.seq, "type": self.type, "data": self.data, "at": self.at}

    @cached_property
    def text(self) -> str:
        """The message as JSON, encoded once per node however many sockets get it."""
        return json.dumps(self.as_message(), separators=(",", ":"), ensure_ascii=False)


class SubscriberDropped(Exception):
    """The subscriber fell too far behind; reconnect and resume from history."""


class Subscription:
    """Events queue up until :meth:`push_to` hands them, and every later one, straight to a
    sink in the publisher's own step: a room socket then sends with no task hop per event.
    The queue then only carries the drop notice."""

    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[BusEvent | None] = asyncio.Queue(maxsize=maxsize)
        self.dropped = False
        self._sink: Callable[[BusEvent], bool] | None = None

    def push_to(self, sink: Callable[[BusEvent], bool]) -> None:
        """From now on call ``sink(event)`` on publish; it returns False when its consumer is
        too slow, which drops this subscriber like a full queue does."""
        while not self.queue.empty():
            event = self.queue.get_nowait()
            if event is None or not sink(event):
                self.drop()
                return
        self._sink = sink

    def drop(self) -> None:
        self.dropped = True
        if not self.queue.full():
            self.queue.put_nowait(None)  # wakes a waiting reader; a full queue is noticed too

    def offer(self, event: BusEvent) -> bool:
        if self.dropped:
            return False
        if self._sink is not None:
            if self._sink(event):
                return True
            self.drop()
            return False
        try:
            self.queue.put_nowait(event)
            return True
        except asyncio.QueueFull:
            self.dropped = True
            return False

    async def get(self) -> BusEvent:
        event = await self.queue.get()
        if event is None or self.dropped:
            raise SubscriberDropped
        return event

    def __aiter__(self) -> AsyncIterator[BusEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[BusEvent]:
        while True:
            yield await self.get()


class Bus(Protocol):
    async def publish(self, channel: str, type: str, data: dict[str, Any]) -> BusEvent: ...

    def subscribe(self, channel: str) -> Any:
        """Async context manager yielding a :class:`Subscription`."""

    async def history(self, channel: str, after: int) -> tuple[list[BusEvent], bool]:
        """Events with seq > after still kept, and whether nothing in between was lost."""

    async def last_seq(self, channel: str) -> int: ...

    async def close(self) -> None: ...


class _Channel:
    def __init__(self, history_size: int) -> None:
        self.seq = 0
        self.history: deque[BusEvent] = deque(maxlen=history_size)
        self.subscribers: set[Subscription] = set()


class MemoryBus:
    """In-process bus for the embedded default (one server process)."""

    def __init__(self, history_size: int = 500, queue_size: int = 1000) -> None:
        self._history_size = history_size
        self._queue_size = queue_size
        self._channels: dict[str, _Channel] = {}

    def _channel(self, name: str) -> _Channel:
        ch = self._channels.get(name)
        if ch is None:
            ch = self._channels[name] = _Channel(self._history_size)
        return ch

    async def publish(self, channel: str, type: str, data: dict[str, Any]) -> BusEvent:
        ch = self._channel(channel)
        ch.seq += 1
        event = BusEvent(channel, ch.seq, type, data)
        ch.history.append(event)
        for sub in list(ch.subscribers):
            if not sub.offer(event):
                ch.subscribers.discard(sub)
        return event

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        sub = Subscription(self._queue_size)
        ch = self._channel(channel)
        ch.subscribers.add(sub)
        try:
            yield sub
        finally:
            ch.subscribers.discard(sub)

    async def history(self, channel: str, after: int) -> tuple[list[BusEvent], bool]:
        ch = self._channel(channel)
        events = [e for e in ch.history if e.seq > after]
        complete = after >= ch.seq or (bool(events) and events[0].seq == after + 1)
        return events, complete

    async def last_seq(self, channel: str) -> int:
        return self._channel(channel).seq

    async def close(self) -> None:
        for ch in self._channels.values():
            for sub in ch.subscribers:
                sub.drop()
        self._channels.clear()
