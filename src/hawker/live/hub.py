"""The room hub: who is watching, and the coalescing of high-rate signals.

Likes and viewer counts arrive far faster than people can read them, so they are summed per
room and published once per ``coalesce_seconds`` as totals, never one event per tap. Chat rate
limits live here too. All of it is per-process state; the scale-out backend swaps the rate
limiter and counters for Redis ones behind the same methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict, deque

from sqlalchemy import update

from hawker.analytics.service import record
from hawker.infra.runtime import Runtime
from hawker.live.errors import ChatRateLimited
from hawker.live.models import Show
from hawker.live.service import room_channel, studio_channel

log = logging.getLogger(__name__)


class ChatRateLimiter:
    """Sliding window: at most ``limit`` messages per user per room in ``window`` seconds."""

    def __init__(self, limit: int, window: float = 10.0) -> None:
        self.limit, self.window = limit, window
        self._sent: dict[tuple[int, int], deque[float]] = defaultdict(deque)

    def check(self, show_id: int, user_id: int) -> None:
        now = time.monotonic()
        sent = self._sent[(show_id, user_id)]
        while sent and now - sent[0] > self.window:
            sent.popleft()
        if len(sent) >= self.limit:
            wait = self.window - (now - sent[0])
            raise ChatRateLimited(
                f"you can send {self.limit} messages per "
                f"{self.window:g} s; try again in {wait:.0f} s"
            )
        sent.append(now)


class RoomHub:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.rate = ChatRateLimiter(rt.settings.chat_rate_per_10s)
        self._viewers: dict[int, int] = defaultdict(int)
        self._published_viewers: dict[int, int] = {}
        self._likes: dict[int, int] = defaultdict(int)
        self._task: asyncio.Task[None] | None = None

    def viewers(self, show_id: int) -> int:
        return self._viewers.get(show_id, 0)

    def join(self, show_id: int) -> None:
        self._viewers[show_id] += 1

    def leave(self, show_id: int) -> None:
        self._viewers[show_id] = max(0, self._viewers[show_id] - 1)

    def like(self, show_id: int, count: int) -> None:
        self._likes[show_id] += count

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="room-hub-flush")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.rt.settings.coalesce_seconds)
            try:
                await self.flush()
            except Exception:  # a failed flush must not stop the room
                log.exception("room hub flush failed")

    async def flush(self) -> None:
        likes, self._likes = self._likes, defaultdict(int)
        for show_id, delta in likes.items():
            if delta:
                await self._publish_likes(show_id, delta)
        for show_id, count in list(self._viewers.items()):
            if self._published_viewers.get(show_id) != count:
                self._published_viewers[show_id] = count
                await self.rt.bus.publish(room_channel(show_id), "viewers", {"count": count})
                await self.rt.bus.publish(studio_channel(show_id), "stats", {"viewers": count})
            if count == 0:
                del self._viewers[show_id]
                self._published_viewers.pop(show_id, None)

    async def _publish_likes(self, show_id: int, delta: int) -> None:
        async with self.rt.db.write() as s:
            total = await s.scalar(
                update(Show)
                .where(Show.id == show_id)
                .values(likes=Show.likes + delta)
                .returning(Show.likes)
            )
            await record(s, "like", show_id=show_id, value=delta)
        await self.rt.bus.publish(
            room_channel(show_id), "likes", {"total": total or 0, "delta": delta}
        )


def hub_of(rt: Runtime) -> RoomHub:
    hub: RoomHub = rt.services["hub"]
    return hub
