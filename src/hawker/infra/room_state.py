"""The room state port: viewer counts and chat budgets that every server node must agree on,
and its in-process adapter (one node). The Redis adapter shares them across nodes.

Each node reports how many viewers it holds in a room; the room's total is the sum over nodes
whose report is still fresh, so a node that dies stops counting once its report ages out.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ViewerTotal:
    total: int
    changed: bool  # differs from the last total claimed for publishing: this node announces it


class RoomState(Protocol):
    async def report_viewers(self, show_id: int, count: int, *, claim: bool) -> ViewerTotal:
        """Record this node's viewers of a room (a heartbeat) and return the room's total.
        With ``claim``, a total that changed since the last claim is marked announced."""

    async def viewers(self, show_id: int) -> int: ...

    async def spend_chat(self, show_id: int, user_id: int, limit: int, window: float) -> float:
        """Spend one message of the user's budget in the room: 0 when allowed, otherwise
        the seconds to wait (nothing spent)."""

    async def close(self) -> None: ...


class MemoryRoomState:
    """In-process room state for the embedded default (one server process)."""

    def __init__(self) -> None:
        self._viewers: dict[int, int] = {}
        self._announced: dict[int, int] = {}
        self._sent: dict[tuple[int, int], deque[float]] = defaultdict(deque)

    async def report_viewers(self, show_id: int, count: int, *, claim: bool) -> ViewerTotal:
        if count:
            self._viewers[show_id] = count
        else:
            self._viewers.pop(show_id, None)
        changed = claim and self._announced.get(show_id) != count
        if changed:
            self._announced[show_id] = count
        return ViewerTotal(count, changed)

    async def viewers(self, show_id: int) -> int:
        return self._viewers.get(show_id, 0)

    async def spend_chat(self, show_id: int, user_id: int, limit: int, window: float) -> float:
        now = time.monotonic()
        sent = self._sent[(show_id, user_id)]
        while sent and now - sent[0] >= window:
            sent.popleft()
        if len(sent) >= limit:
            return window - (now - sent[0])
        sent.append(now)
        return 0.0

    async def close(self) -> None:
        self._viewers.clear()
        self._sent.clear()
