"""Notifications API: the signed-in user's notices, marking them read, and a live stream."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.creators import notifications
from hawker.creators.schemas import NoticeOut, NoticesOut, ReadIn
from hawker.infra.bus import BusEvent
from hawker.infra.runtime import Runtime
from hawker.infra.sse import bus_stream

router = APIRouter(prefix="/api/me/notifications", tags=["creators"])


@router.get("")
async def notices(user: User = Depends(current_user), rt: Runtime = Depends(runtime)) -> NoticesOut:
    async with rt.db.read() as s:
        items = await notifications.recent(s, user.id)
        unread = await notifications.unread_count(s, user.id)
    return NoticesOut(
        unread=unread,
        items=[
            NoticeOut(
                id=n.id,
                kind=n.kind,
                text=n.text,
                host_id=n.host_id,
                show_id=n.show_id,
                live=live,
                read=n.read_at is not None,
                created_at=n.created_at,
            )
            for n, live in items
        ],
    )


@router.post("/read")
async def mark_read(
    body: ReadIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> dict[str, int]:
    async with rt.db.write() as s:
        await notifications.do_mark_read(s, user.id, body.up_to)
        return {"unread": await notifications.unread_count(s, user.id)}


@router.get("/stream")
async def stream(
    request: Request, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> Response:
    """Server-sent ``notification`` events about hosts this user follows, as they happen."""

    async def mine(event: BusEvent) -> str | None:
        async with rt.db.read() as s:  # follows made since the stream opened count too
            followed = await notifications.followed(s, user.id)
        return json.dumps(event.data) if event.data.get("host_id") in followed else None

    return bus_stream(request, rt.bus, notifications.CHANNEL, "notification", mine)
