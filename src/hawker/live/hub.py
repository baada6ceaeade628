"""The room hub: who is watching, and the coalescing of high-rate signals.

Likes and viewer counts arrive far faster than people can read them, so they are summed per
room and published once per ``coalesce_seconds`` as totals, never one event per tap. Chat rate
limits live here too. State every node must agree on (viewer totals, chat budgets) is kept in
the room state port (in-process, or Redis when several nodes serve the rooms); likes are
summed by the shared database row, so every node's coalesced delta lands in one total.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from sqlalchemy import update

from hawker.analytics.service import record
from hawker.infra.room_state import RoomState, ViewerTotal
from hawker.infra.runtime import Runtime
from hawker.live.errors import ChatRateLimited
from hawker.live.models import Show
from hawker.live.service import room_channel, studio_channel

log = logging.getLogger(__name__)


class ChatRateLimiter:
    """Sliding window: at most ``limit`` messages per user per room in ``window`` seconds,
    one budget across every node."""

    def __init__(self, state: RoomState, limit: int, window: float = 10.0) -> None:
        self.state, self.limit, self.window = state, limit, window

    async def check(self, show_id: int, user_id: int) -> None:
        wait = await self.state.spend_chat(show_id, user_id, self.limit, self.window)
        if wait > 0:
            raise ChatRateLimited(
                f"you can send {self.limit} messages per "
                f"{self.window:g} s; try again in {max(wait, 1):.0f} s"
            )


class RoomHub:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.state = rt.room_state
        self.rate = ChatRateLimiter(self.state, rt.settings.chat_rate_per_10s)
        self._viewers: dict[int, int] = defaultdict(int)  # this node's viewers per room
        self._reported: dict[int, int] = {}
        # One report in flight per node: concurrent reports could land out of order and
        # leave an older count in the store. Each sends the count current when it goes out.
        self._report_lock = asyncio.Lock()
        self._likes: dict[int, int] = defaultdict(int)
        self._task: asyncio.Task[None] | None = None

    async def viewers(self, show_id: int) -> int:
        """Viewers of the room on every node."""
        return await self.state.viewers(show_id)

    async def join(self, show_id: int) -> None:
        self._viewers[show_id] += 1
        await self._report(show_id, claim=False)

    async def leave(self, show_id: int) -> None:
        """The local count drops at once; if the report fails, the next flush sends it."""
        self._viewers[show_id] = max(0, self._viewers[show_id] - 1)
        await self._report(show_id, claim=False)

    async def _report(self, show_id: int, *, claim: bool) -> ViewerTotal | None:
        """Send this node's count of the room; without ``claim`` (a join or leave), only if
        no report sent since already carried it (a burst of joins sends a few reports)."""
        async with self._report_lock:
            count = self._viewers.get(show_id, 0)
            if not claim and self._reported.get(show_id) == count:
                return None
            self._reported[show_id] = count
            return await self.state.report_viewers(show_id, count, claim=claim)

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
        # The report doubles as this node's heartbeat; of all nodes, the one whose report
        # first sees a new total announces it.
        for show_id in list(self._viewers):
            viewers = await self._report(show_id, claim=True)
            if viewers is not None and viewers.changed:
                total = viewers.total
                await self.rt.bus.publish(room_channel(show_id), "viewers", {"count": total})
                await self.rt.bus.publish(studio_channel(show_id), "stats", {"viewers": total})
            if self._viewers.get(show_id) == 0 and self._reported.get(show_id) == 0:
                del self._viewers[show_id]
                del self._reported[show_id]

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
