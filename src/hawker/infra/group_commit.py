"""Group commit: requests that arrive while a call for their key is in flight leave together.

Per key at most one call is in flight. The first request starts a sender; whatever queues up
meanwhile goes out as the next call (up to ``max_batch``) the moment the previous one returns,
so a lone request is not delayed by a timer and a crowd pays the client's per-call cost once per
batch instead of once per request. Written by hand: batching libraries (e.g. aiodataloader)
collect for one event-loop tick or a fixed delay, not "while the previous call is in flight".

A caller that gives up (cancelled) before its batch leaves is never sent; one that gives up
after is handed with its result to ``abandoned`` so its effect can be undone.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
V = TypeVar("V")
log = logging.getLogger(__name__)


class GroupCommit(Generic[K, R, V]):
    def __init__(
        self,
        send: Callable[[K, Sequence[R]], Awaitable[Sequence[V]]],
        *,
        max_batch: int,
        abandoned: Callable[[K, R, V], Awaitable[None]] | None = None,
    ) -> None:
        """``send(key, requests)`` makes one call and returns one result per request, in order."""
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.send, self.max_batch, self.abandoned = send, max_batch, abandoned
        self._queues: dict[K, deque[tuple[R, asyncio.Future[V]]]] = {}
        self._senders: set[asyncio.Task[None]] = set()

    async def submit(self, key: K, request: R) -> V:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V] = loop.create_future()
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            sender = loop.create_task(self._drain(key, queue))
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)
        queue.append((request, future))
        return await future

    async def aclose(self) -> None:
        """Wait for the calls still in flight (their callers are waiting too)."""
        await asyncio.gather(*self._senders, return_exceptions=True)

    async def _drain(self, key: K, queue: deque[tuple[R, asyncio.Future[V]]]) -> None:
        batch: list[tuple[R, asyncio.Future[V]]] = []
        try:
            while queue:
                taken = [queue.popleft() for _ in range(min(len(queue), self.max_batch))]
                batch = [(r, f) for r, f in taken if not f.cancelled()]
                if batch:
                    await self._call(key, batch)
                batch = []
        finally:
            # No await between the last look at the queue and here: nothing can slip in.
            del self._queues[key]
            for _, future in batch + list(queue):  # only when the sender itself was cancelled
                future.cancel()

    async def _call(self, key: K, batch: list[tuple[R, asyncio.Future[V]]]) -> None:
        try:
            results = await self.send(key, [r for r, _ in batch])
            if len(results) != len(batch):
                raise ValueError(f"{len(results)} results for {len(batch)} requests")
        except Exception as e:  # each caller sees what its own call would have raised
            for _, future in batch:
                if not future.done():
                    future.set_exception(e)
            return
        orphans = []
        for (request, future), result in zip(batch, results, strict=True):
            if future.cancelled():
                orphans.append((request, result))
            else:
                future.set_result(result)
        for request, result in orphans:
            if self.abandoned is not None:
                try:
                    await self.abandoned(key, request, result)
                except Exception:
                    log.exception("undoing an abandoned request failed")
