"""Live JSON API (shows, line-ups, pins, chat, moderation) and the room WebSockets."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from hawker.accounts import service as accounts
from hawker.accounts.auth import SESSION_COOKIE, current_user, runtime
from hawker.accounts.models import User
from hawker.analytics.service import record
from hawker.core.errors import HawkerError, NotFound
from hawker.infra.bus import SubscriberDropped
from hawker.infra.runtime import Runtime, runtime_of
from hawker.live import service
from hawker.live.hub import hub_of
from hawker.live.schemas import ChatIn, ChatOut, LineupIn, MuteIn, PinIn, ShowIn, ShowOut, ShowPatch

router = APIRouter(tags=["live"])


async def _show_out(rt: Runtime, show_id: int) -> ShowOut:
    async with rt.db.read() as s:
        show = await service.access_show(s, show_id)
        return await service.show_out(s, show, hub_of(rt).viewers(show_id))


@router.post("/api/shows", status_code=201)
async def create_show(
    body: ShowIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ShowOut:
    async with rt.db.write() as s:
        show = await service.do_create_show(s, user, body)
    return await _show_out(rt, show.id)


@router.get("/api/shows")
async def shows(
    status: str | None = Query(default=None, pattern="^(scheduled|live|ended)$"),
    host_id: int | None = Query(default=None, ge=1),
    limit: int = Query(default=20, ge=1, le=100),
    rt: Runtime = Depends(runtime),
) -> list[ShowOut]:
    hub = hub_of(rt)
    async with rt.db.read() as s:
        found = await service.list_shows(s, status=status, host_id=host_id, limit=limit)
        return [await service.show_out(s, show, hub.viewers(show.id)) for show in found]


@router.get("/api/shows/{show_id}")
async def show(show_id: int, rt: Runtime = Depends(runtime)) -> ShowOut:
    return await _show_out(rt, show_id)


@router.patch("/api/shows/{show_id}")
async def update_show(
    show_id: int,
    body: ShowPatch,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> ShowOut:
    async with rt.db.write() as s:
        await service.do_update_show(s, user, show_id, body)
    return await _show_out(rt, show_id)


@router.put("/api/shows/{show_id}/lineup")
async def set_lineup(
    show_id: int, body: LineupIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ShowOut:
    async with rt.db.write() as s:
        await service.do_update_lineup(s, user, show_id, body.product_ids)
    return await _show_out(rt, show_id)


@router.post("/api/shows/{show_id}/start")
async def start_show(
    show_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ShowOut:
    async with rt.db.write() as s:
        show = await service.do_start_show(s, user, show_id)
    await service.notify_show_status(rt.bus, show)
    return await _show_out(rt, show_id)


@router.post("/api/shows/{show_id}/end")
async def end_show(
    show_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ShowOut:
    async with rt.db.write() as s:
        show = await service.do_end_show(s, user, show_id)
    await service.notify_pin(rt.bus, show_id, None)
    await service.notify_show_status(rt.bus, show)
    return await _show_out(rt, show_id)


@router.post("/api/shows/{show_id}/pin")
async def pin(
    show_id: int, body: PinIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ShowOut:
    async with rt.db.write() as s:
        product = await service.do_pin(s, user, show_id, body.product_id)
    await service.notify_pin(rt.bus, show_id, product)
    return await _show_out(rt, show_id)


@router.post("/api/shows/{show_id}/unpin")
async def unpin(
    show_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ShowOut:
    async with rt.db.write() as s:
        await service.do_unpin(s, user, show_id)
    await service.notify_pin(rt.bus, show_id, None)
    return await _show_out(rt, show_id)


@router.get("/api/shows/{show_id}/chat")
async def chat(
    show_id: int, limit: int = Query(default=50, ge=1, le=200), rt: Runtime = Depends(runtime)
) -> list[ChatOut]:
    async with rt.db.read() as s:
        await service.access_show(s, show_id)
        return await service.recent_chat(s, show_id, limit)


async def post_chat(rt: Runtime, user: User, show_id: int, text: str) -> ChatOut:
    """One chat path for the REST route and the socket: validate, rate-limit, store, publish."""
    text = service.check_chat_text(text, rt.settings.chat_max_length)
    hub_of(rt).rate.check(show_id, user.id)
    async with rt.db.write() as s:
        message = await service.do_post_chat(s, user, show_id, text, rt.settings.chat_max_length)
    out = service.chat_out(message, user.display_name)
    await service.notify_chat(rt.bus, show_id, out)
    return out


@router.post("/api/shows/{show_id}/chat", status_code=201)
async def send_chat(
    show_id: int, body: ChatIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ChatOut:
    return await post_chat(rt, user, show_id, body.text)


@router.delete("/api/shows/{show_id}/chat/{message_id}", status_code=204)
async def delete_chat(
    show_id: int,
    message_id: int,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> None:
    async with rt.db.write() as s:
        await service.do_delete_chat(s, user, show_id, message_id)
    await service.notify_chat_deleted(rt.bus, show_id, message_id)


@router.post("/api/shows/{show_id}/mutes", status_code=204)
async def mute(
    show_id: int, body: MuteIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> None:
    async with rt.db.write() as s:
        await service.do_mute(s, user, show_id, body.user_id)
    await service.notify_muted(rt.bus, show_id, body.user_id)


@router.delete("/api/shows/{show_id}/mutes/{user_id}", status_code=204)
async def unmute(
    show_id: int, user_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> None:
    async with rt.db.write() as s:
        await service.do_unmute(s, user, show_id, user_id)


@router.get("/api/shows/{show_id}/viewers")
async def viewers(show_id: int, rt: Runtime = Depends(runtime)) -> dict[str, int]:
    async with rt.db.read() as s:
        await service.access_show(s, show_id)
    return {"count": hub_of(rt).viewers(show_id)}


# --- WebSockets -------------------------------------------------------------------------------


async def _socket_user(ws: WebSocket, token: str) -> User | None:
    """API token in the query, or the session cookie when the page is same-origin (a cookie
    sent by a cross-site page would let that page act as the user)."""
    rt = runtime_of(ws.app)
    async with rt.db.read() as s:
        if token:
            with contextlib.suppress(HawkerError):
                return await accounts.access_user_by_api_token(s, token)
            return None
        cookie = ws.cookies.get(SESSION_COOKIE)
        origin = ws.headers.get("origin")
        if cookie and (origin is None or urlsplit(origin).netloc == ws.headers.get("host")):
            return await accounts.access_user_by_session(s, cookie)
    return None


class _Sender:
    """Serialises sends: the event pump and the client handler share one socket."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws, self.lock = ws, asyncio.Lock()

    async def __call__(self, message: dict[str, Any]) -> None:
        async with self.lock:
            await self.ws.send_json(message)


@router.websocket("/ws/shows/{show_id}")
async def room_socket(ws: WebSocket, show_id: int, after: int = -1, token: str = "") -> None:
    rt = runtime_of(ws.app)
    hub = hub_of(rt)
    user = await _socket_user(ws, token)
    try:
        async with rt.db.read() as s:
            show = await service.access_show(s, show_id)
            status, likes, pinned = show.status, show.likes, show.pinned_product_id
    except NotFound:
        await ws.close(code=4404, reason="no such show")
        return
    await ws.accept()
    send = _Sender(ws)
    hub.join(show_id)
    joined = asyncio.get_running_loop().time()
    async with rt.db.write() as s:
        await record(s, "room.join", user_id=user.id if user else None, show_id=show_id)
    channel = service.room_channel(show_id)
    try:
        async with rt.bus.subscribe(channel) as sub:
            last = await rt.bus.last_seq(channel)
            await send(
                {
                    "type": "hello",
                    "seq": last,
                    "data": {
                        "status": status,
                        "likes": likes,
                        "viewers": hub.viewers(show_id),
                        "pinned_product_id": pinned,
                        "user_id": user.id if user else None,
                    },
                }
            )
            if after >= 0:  # a page that rendered at seq N asks for everything after N
                missed, complete = await rt.bus.history(channel, after)
                if not complete:
                    await send({"type": "resync", "seq": last, "data": {}})
                for event in missed:
                    if event.seq <= last:
                        await send(event.as_message())
            pump = asyncio.create_task(_pump(sub, send, last))
            try:
                await _handle_client(ws, send, rt, user, show_id)
            finally:
                pump.cancel()
                with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                    await pump
    finally:
        hub.leave(show_id)
        watched = int((asyncio.get_running_loop().time() - joined) * 1000)
        async with rt.db.write() as s:
            await record(
                s, "room.leave", user_id=user.id if user else None, show_id=show_id, value=watched
            )


async def _pump(sub: Any, send: _Sender, last: int) -> None:
    try:
        async for event in sub:
            if event.seq > last:
                await send(event.as_message())
                last = event.seq
    except SubscriberDropped:
        await send.ws.close(code=4000, reason="too slow; reconnect with after=")


async def _handle_client(
    ws: WebSocket, send: _Sender, rt: Runtime, user: User | None, show_id: int
) -> None:
    while True:
        try:
            message = await ws.receive_json()
        except WebSocketDisconnect:
            return
        except ValueError:
            await send({"type": "error", "code": "bad_message", "detail": "send JSON objects"})
            continue
        kind = message.get("type") if isinstance(message, dict) else None
        try:
            if kind == "chat":
                if user is None:
                    await send(
                        {"type": "error", "code": "login_required", "detail": "log in to chat"}
                    )
                    continue
                await post_chat(rt, user, show_id, str(ChatIn(text=message.get("text", "")).text))
            elif kind == "like":
                count = message.get("count", 1)
                if not isinstance(count, int) or not 1 <= count <= 50:
                    raise ValueError("count must be 1..50")
                hub_of(rt).like(show_id, count)
            else:
                await send(
                    {"type": "error", "code": "bad_message", "detail": "type must be chat or like"}
                )
        except HawkerError as e:
            await send({"type": "error", "code": e.code, "detail": e.detail})
        except (ValidationError, ValueError) as e:
            await send({"type": "error", "code": "invalid", "detail": str(e)})


@router.websocket("/ws/studio/{show_id}")
async def studio_socket(ws: WebSocket, show_id: int, token: str = "") -> None:
    rt = runtime_of(ws.app)
    user = await _socket_user(ws, token)
    try:
        if user is None:
            raise NotFound("log in as the show's host")
        async with rt.db.read() as s:
            await service.access_show_as_host(s, user, show_id)
    except HawkerError as e:
        await ws.close(code=4403, reason=e.detail[:120])
        return
    await ws.accept()
    send = _Sender(ws)
    channel = service.studio_channel(show_id)
    async with rt.bus.subscribe(channel) as sub:
        await send({"type": "stats", "seq": 0, "data": {"viewers": hub_of(rt).viewers(show_id)}})
        pump = asyncio.create_task(_pump(sub, send, 0))
        try:
            while True:
                await ws.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await pump
