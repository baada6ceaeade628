"""Server-Sent Events from a bus channel: one-way pushes to a page need no WebSocket, and a
plain streaming response is all the protocol is (a keep-alive comment every 15 s keeps proxies
from closing an idle stream; the browser's EventSource reconnects by itself)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import StreamingResponse

from hawker.infra.bus import Bus, BusEvent, SubscriberDropped

KEEP_ALIVE_SECONDS = 15
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def bus_stream(
    request: Request,
    bus: Bus,
    channel: str,
    event_name: str,
    data: Callable[[BusEvent], Awaitable[str | None]],
) -> StreamingResponse:
    """Stream ``channel`` as events named ``event_name``; ``data`` turns a bus event into the
    event's data line, or None to pass it over (e.g. not for this user)."""

    async def events() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        async with bus.subscribe(channel) as sub:
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(sub.get(), timeout=KEEP_ALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                except SubscriberDropped:
                    return  # too slow: the browser reconnects and refetches
                line = await data(event)
                if line is not None:
                    yield f"event: {event_name}\nid: {event.seq}\ndata: {line}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=HEADERS)


def periodic_stream(
    request: Request, event_name: str, seconds: float, data: Callable[[], Awaitable[str]]
) -> StreamingResponse:
    """Send ``data()`` as an event every ``seconds`` (the first at once): for pages that show
    a coalesced picture of something changing faster than anyone could read it."""

    async def events() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        seq = 0
        while not await request.is_disconnected():
            seq += 1
            yield f"event: {event_name}\nid: {seq}\ndata: {await data()}\n\n"
            await asyncio.sleep(seconds)

    return StreamingResponse(events(), media_type="text/event-stream", headers=HEADERS)
