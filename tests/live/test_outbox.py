"""The room socket's outbox: order kept, no task while the socket takes sends at once, a
socket that stops reading dropped at the limit."""

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hawker.live.api import _Outbox


class FakeSocket:
    """Takes sends at once until paused (as a full TCP buffer pauses uvicorn's send)."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.writable = asyncio.Event()
        self.writable.set()

    async def send_text(self, text: str) -> None:
        await self.writable.wait()
        self.sent.append(text)


def outbox(ws: FakeSocket, limit: int = 100) -> _Outbox:
    socket: Any = ws
    return _Outbox(socket, limit)


async def test_a_writable_socket_is_sent_to_in_the_callers_step() -> None:
    ws = FakeSocket()
    out = outbox(ws)
    tasks = len(asyncio.all_tasks())
    for i in range(100):
        assert out.text(str(i))
        assert ws.sent[-1] == str(i)  # sent before text() returned: no task, no hop
    assert len(asyncio.all_tasks()) == tasks


async def test_a_socket_that_stops_reading_is_dropped_at_the_limit() -> None:
    ws = FakeSocket()
    out = outbox(ws, limit=5)
    ws.writable.clear()
    assert all(out.text(str(i)) for i in range(6))  # one waiting send, five queued
    assert not out.text("6")
    ws.writable.set()
    await asyncio.sleep(0.01)
    assert ws.sent == [str(i) for i in range(6)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=60))
def test_order_survives_any_pattern_of_pauses(pauses: list[bool]) -> None:
    async def run() -> list[str]:
        ws = FakeSocket()
        out = outbox(ws, limit=len(pauses))
        for i, paused in enumerate(pauses):
            if paused:
                ws.writable.clear()
            else:
                ws.writable.set()
            assert out.text(str(i))
            await asyncio.sleep(0)
        ws.writable.set()
        for _ in range(len(pauses) + 5):
            await asyncio.sleep(0)
        return ws.sent

    assert asyncio.run(run()) == [str(i) for i in range(len(pauses))]
