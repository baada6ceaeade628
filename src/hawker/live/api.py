"""Live JSON API (shows, line-ups, pins, chat, moderation) and the room WebSockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect

from hawker.accounts import service as accounts
from hawker.accounts.auth import SESSION_COOKIE, current_user, runtime
from hawker.accounts.models import User
from hawker.analytics.service import record
from hawker.core.errors import Forbidden, HawkerError, NotFound
from hawker.infra.bus import BusEvent, SubscriberDropped, Subscription
from hawker.infra.runtime import Runtime, runtime_of
from hawker.live import service
from hawker.live.hub import hub_of
from hawker.live.schemas import ChatIn, ChatOut, LineupIn, MuteIn, PinIn, ShowIn, ShowOut, ShowPatch

router = APIRouter(tags=["live"])


async def _show_out(rt: Runtime, show_id: int) -> ShowOut:
    async with rt.db.read() as s:
        show = await service.access_show(s, show_id)
        return await service.show_out(
            s, show, await hub_of(rt).viewers(show_id), hls_base=rt.settings.public_hls_url
        )


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
        hls = rt.settings.public_hls_url
        return [
            await service.show_out(s, show, await hub.viewers(show.id), hls_base=hls)
            for show in found
        ]


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
        pinned = (await service.access_show(s, show_id)).pinned_product_id
        show = await service.do_update_lineup(s, user, show_id, body.product_ids)
        unpinned = pinned is not None and show.pinned_product_id is None
    if unpinned:
        await service.notify_pin(rt.bus, show_id, None)
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
        pinned = (await service.access_show(s, show_id)).pinned_product_id
        show = await service.do_end_show(s, user, show_id)
    if pinned is not None:
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
    async with rt.db.write() as s:
        message = await service.do_post_chat(
            s, user, show_id, text, rt.settings.chat_max_length, rate_check=hub_of(rt).rate.check
        )
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
    return {"count": await hub_of(rt).viewers(show_id)}


# --- WebSockets -------------------------------------------------------------------------------

# A send to a socket the client already closed; the session simply ends.
_GONE = (WebSocketDisconnect, RuntimeError, OSError)


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


async def _refuse(ws: WebSocket, code: int, reason: str) -> None:
    """Accept, then close with an application code: a close before the handshake reaches a
    browser only as HTTP 403 (code 1006), and pages need 4403/4404 to stop reconnecting."""
    await ws.accept()
    await ws.close(code=code, reason=reason[:120])


def _run_now(job: Coroutine[Any, Any, None]) -> None:
    """Run ``job`` in the caller's step up to its first real wait, then as its own task.

    What Python 3.12's eager tasks do (3.11 has none): a send to a writable socket never
    waits, so fanning an event out to a room costs no task switch per viewer; only a send
    that must wait for a slow socket to drain continues in a task of its own.
    """
    try:
        waiting_on = job.send(None)
    except StopIteration:
        return
    task = asyncio.ensure_future(_resume(job, waiting_on))
    _resuming.add(task)
    task.add_done_callback(_resuming.discard)


_resuming: set[asyncio.Task[None]] = set()  # held so a waiting send is not garbage-collected


async def _resume(job: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    while True:
        try:
            if waiting_on is None:  # a bare yield (sleep(0)): just let others run
                await asyncio.sleep(0)
            else:  # take over the wait from the job, as asyncio's Task step does
                waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException as e:
            try:
                waiting_on = job.throw(e)
            except StopIteration:
                return
            continue
        try:
            waiting_on = job.send(None)
        except StopIteration:
            return


class _Outbox:
    """Every send to one socket goes through here, in order, with no lock: the first message
    is sent at once (see :func:`_run_now`); those that come while a send waits for a slow
    socket queue behind it, and a socket that lets ``limit`` of them pile up is dropped."""

    def __init__(self, ws: WebSocket, limit: int, last: int = 0) -> None:
        self.ws, self.limit, self.last = ws, limit, last
        self.backlog: deque[str] = deque()
        self.sending = False
        self.gone = False

    def event(self, event: BusEvent) -> bool:
        """The bus sink: each room event once, past ``last``; False once too far behind."""
        if event.seq <= self.last:
            return True  # already sent from history
        self.last = event.seq
        return self.text(event.text)

    def message(self, message: dict[str, Any]) -> None:
        self.text(json.dumps(message, separators=(",", ":"), ensure_ascii=False))

    def text(self, text: str) -> bool:
        if self.gone:
            return True  # the reader ends the session
        if self.sending:
            if len(self.backlog) >= self.limit:
                return False
            self.backlog.append(text)
            return True
        _run_now(self._send(text))
        return True

    async def _send(self, text: str) -> None:
        self.sending = True
        try:
            await self.ws.send_text(text)
            while self.backlog:
                await self.ws.send_text(self.backlog.popleft())
        except _GONE:
            self.gone = True
            self.backlog.clear()
        finally:
            self.sending = False


async def _until_either_ends(*jobs: Coroutine[Any, Any, None]) -> None:
    """Run the event pump and the client reader; when one ends (client gone, subscriber
    dropped) the other is cancelled, so a socket never lingers half-alive. An anyio task group,
    not bare asyncio tasks, so the server's own cancellation of the connection is honoured."""
    async with anyio.create_task_group() as group:

        async def run(job: Coroutine[Any, Any, None]) -> None:
            try:
                await job
            except _GONE:
                pass
            finally:
                group.cancel_scope.cancel()

        for job in jobs:
            group.start_soon(run, job)


@router.websocket("/ws/shows/{show_id}")
async def room_socket(ws: WebSocket, show_id: int, after: int = -1, token: str = "") -> None:
    rt = runtime_of(ws.app)
    hub = hub_of(rt)
    user = await _socket_user(ws, token)
    user_id = user.id if user else None
    try:
        async with rt.db.read() as s:
            show = await service.access_show(s, show_id)
            status, likes, pinned = show.status, show.likes, show.pinned_product_id
    except NotFound as e:
        await _refuse(ws, 4404, e.detail)
        return
    await ws.accept()
    await hub.join(show_id)
    joined = asyncio.get_running_loop().time()
    channel = service.room_channel(show_id)
    try:
        async with rt.db.write() as s:
            await record(s, "room.join", user_id=user_id, show_id=show_id)
        async with rt.bus.subscribe(channel) as sub:  # before history: nothing falls between
            last = await rt.bus.last_seq(channel)
            out = _Outbox(ws, sub.queue.maxsize, last)
            hello = {
                "status": status,
                "likes": likes,
                "viewers": await hub.viewers(show_id),
                "pinned_product_id": pinned,
                "user_id": user_id,
            }
            out.message({"type": "hello", "seq": last, "data": hello})
            if after > last:  # the client saw a room this server no longer remembers
                out.message({"type": "resync", "seq": last, "data": {}})
            elif after >= 0:  # a page that rendered at seq N asks for everything after N
                missed, complete = await rt.bus.history(channel, after)
                if not complete:
                    out.message({"type": "resync", "seq": last, "data": {}})
                for event in missed:
                    if event.seq <= last:  # later ones come through the subscription
                        out.text(event.text)
            sub.push_to(out.event)
            await _until_either_ends(
                _until_dropped(sub, ws), _handle_client(ws, out, rt, user, show_id)
            )
    except _GONE:
        pass
    finally:
        watched = int((asyncio.get_running_loop().time() - joined) * 1000)
        with anyio.CancelScope(shield=True):  # a server shutting down still logs the leave
            await hub.leave(show_id)
            async with rt.db.write() as s:
                await record(s, "room.leave", user_id=user_id, show_id=show_id, value=watched)


async def _until_dropped(sub: Subscription, ws: WebSocket) -> None:
    """Events flow to the outbox without this task; it waits for the bus to drop the socket
    (too slow, or the node lost events) and tells the client to resume from history."""
    try:
        while True:
            await sub.get()
    except SubscriberDropped:
        await ws.close(code=4000, reason="too slow; reconnect with after=")


async def _receive_json(ws: WebSocket) -> Any:
    """The next client message parsed as JSON; ValueError for anything else."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    if message.get("text") is None:
        raise ValueError("send JSON text frames")
    return json.loads(message["text"])


async def _handle_client(
    ws: WebSocket, out: _Outbox, rt: Runtime, user: User | None, show_id: int
) -> None:
    while True:
        try:
            message = await _receive_json(ws)
        except WebSocketDisconnect:
            return
        except ValueError:
            out.message({"type": "error", "code": "bad_message", "detail": "send JSON objects"})
            continue
        kind = message.get("type") if isinstance(message, dict) else None
        try:
            if kind == "chat":
                if user is None:
                    out.message(
                        {"type": "error", "code": "login_required", "detail": "log in to chat"}
                    )
                    continue
                text = message.get("text")
                if not isinstance(text, str):
                    raise ValueError("text must be a string")
                await post_chat(rt, user, show_id, text)
            elif kind == "like":
                count = message.get("count", 1)
                if type(count) is not int or not 1 <= count <= 50:
                    raise ValueError("count must be a whole number from 1 to 50")
                hub_of(rt).like(show_id, count)
            else:
                out.message(
                    {"type": "error", "code": "bad_message", "detail": "type must be chat or like"}
                )
        except HawkerError as e:
            out.message({"type": "error", "code": e.code, "detail": e.detail})
        except ValueError as e:
            out.message({"type": "error", "code": "invalid", "detail": str(e)})


async def _drain(ws: WebSocket) -> None:
    """Read and ignore client frames until the client leaves (the studio feed is one-way)."""
    while (await ws.receive())["type"] != "websocket.disconnect":
        pass


@router.websocket("/ws/studio/{show_id}")
async def studio_socket(ws: WebSocket, show_id: int, token: str = "") -> None:
    rt = runtime_of(ws.app)
    user = await _socket_user(ws, token)
    try:
        if user is None:
            raise Forbidden("log in as the show's host")
        async with rt.db.read() as s:
            await service.access_show_as_host(s, user, show_id)
    except HawkerError as e:
        await _refuse(ws, 4404 if isinstance(e, NotFound) else 4403, e.detail)
        return
    await ws.accept()
    with contextlib.suppress(*_GONE):
        async with rt.bus.subscribe(service.studio_channel(show_id)) as sub:
            out = _Outbox(ws, sub.queue.maxsize)
            stats = {"viewers": await hub_of(rt).viewers(show_id)}
            out.message({"type": "stats", "seq": 0, "data": stats})
            sub.push_to(out.event)
            await _until_either_ends(_until_dropped(sub, ws), _drain(ws))
