"""Live rules: shows, line-ups, pins, chat and moderation.

``do_*`` change state inside the caller's unit of work; ``notify_*`` publish room events and are
called after it commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit
from hawker.accounts.models import User
from hawker.accounts.service import check_role
from hawker.analytics.service import record
from hawker.catalog.models import Product
from hawker.catalog.service import access_product, product_out
from hawker.core import outbox
from hawker.core.clock import naive_utc, utcnow
from hawker.core.errors import Forbidden, NotFound
from hawker.infra.bus import Bus
from hawker.live.errors import (
    ChatBadCharacter,
    ChatEmpty,
    ChatTooLong,
    IllegalShowTransition,
    Muted,
    NotInLineup,
    ShowNotLive,
)
from hawker.live.models import ChatMessage, RoomMute, Show, ShowPin, ShowProduct
from hawker.live.schemas import ChatOut, HostOut, ShowIn, ShowOut, ShowPatch

# status -> statuses it may move to
TRANSITIONS = {"scheduled": {"live", "ended"}, "live": {"ended"}, "ended": set()}


def room_channel(show_id: int) -> str:
    return f"room:{show_id}"


def studio_channel(show_id: int) -> str:
    return f"studio:{show_id}"


def playback_url(hls_base: str, show_id: int) -> str:
    """The show's HLS playlist: nginx packages its stream under this public name."""
    return f"{hls_base}/show-{show_id}/index.m3u8"


async def access_show(s: AsyncSession, show_id: int) -> Show:
    show = await s.get(Show, show_id)
    if show is None:
        raise NotFound(f"show {show_id} does not exist")
    return show


async def access_show_as_host(s: AsyncSession, user: User, show_id: int) -> Show:
    show = await access_show(s, show_id)
    if show.host_id != user.id and "operator" not in user.roles:
        raise Forbidden(f"show {show_id} belongs to another host")
    return show


async def lineup(s: AsyncSession, show_id: int) -> list[Product]:
    rows = await s.scalars(
        select(Product)
        .join(ShowProduct, ShowProduct.product_id == Product.id)
        .where(ShowProduct.show_id == show_id)
        .order_by(ShowProduct.position)
    )
    return list(rows)


async def check_product_in_lineup(s: AsyncSession, show_id: int, product_id: int) -> None:
    found = await s.scalar(
        select(ShowProduct.id).where(
            ShowProduct.show_id == show_id, ShowProduct.product_id == product_id
        )
    )
    if found is None:
        raise NotInLineup(f"product {product_id} is not in show {show_id}'s line-up")


async def list_shows(
    s: AsyncSession, *, status: str | None = None, host_id: int | None = None, limit: int = 20
) -> list[Show]:
    stmt = select(Show).limit(limit)
    if status:
        stmt = stmt.where(Show.status == status)
    if host_id is not None:
        stmt = stmt.where(Show.host_id == host_id)
    order = Show.scheduled_start.desc() if status == "ended" else Show.scheduled_start
    return list(await s.scalars(stmt.order_by(order, Show.id)))


async def _set_lineup(s: AsyncSession, show_id: int, product_ids: list[int]) -> None:
    if len(set(product_ids)) != len(product_ids):
        raise NotInLineup("a product appears twice in the line-up")
    for pid in product_ids:
        await access_product(s, pid)
    await s.execute(delete(ShowProduct).where(ShowProduct.show_id == show_id))
    s.add_all(
        ShowProduct(show_id=show_id, product_id=pid, position=i)
        for i, pid in enumerate(product_ids)
    )


async def do_create_show(s: AsyncSession, user: User, spec: ShowIn) -> Show:
    check_role(user, "host")
    show = Show(
        host_id=user.id,
        title=spec.title.strip(),
        description=spec.description,
        cover_url=spec.cover_url,
        scheduled_start=naive_utc(spec.scheduled_start),
        status="scheduled",
    )
    s.add(show)
    await s.flush()
    await _set_lineup(s, show.id, spec.product_ids)
    await _emit(s, "show.scheduled", show)
    return show


async def _emit(s: AsyncSession, topic: str, show: Show) -> None:
    """Durable show events (outbox) for contexts that follow hosts, e.g. notifications."""
    await outbox.emit(
        s,
        topic,
        show.id,
        {
            "show_id": show.id,
            "host_id": show.host_id,
            "title": show.title,
            "scheduled_start": show.scheduled_start.isoformat(),
        },
    )


async def do_update_show(s: AsyncSession, user: User, show_id: int, patch: ShowPatch) -> Show:
    show = await access_show_as_host(s, user, show_id)
    for name, value in patch.model_dump(exclude_unset=True).items():
        setattr(show, name, naive_utc(value) if isinstance(value, datetime) else value)
    return show


async def do_update_lineup(
    s: AsyncSession, user: User, show_id: int, product_ids: list[int]
) -> Show:
    show = await access_show_as_host(s, user, show_id)
    if show.status == "ended":
        raise IllegalShowTransition("an ended show's line-up is final")
    await _set_lineup(s, show_id, product_ids)
    if show.pinned_product_id not in product_ids:
        await _unpin(s, show)
    return show


async def _transition(s: AsyncSession, show: Show, to: str) -> Show:
    if to not in TRANSITIONS[show.status]:
        raise IllegalShowTransition(f"show {show.id} is {show.status}; it cannot become {to}")
    now = utcnow()
    values: dict[str, Any] = {"status": to}
    values["started_at" if to == "live" else "ended_at"] = now
    changed = await s.scalar(
        update(Show)
        .where(Show.id == show.id, Show.status == show.status)
        .values(**values)
        .returning(Show.id)
    )
    if changed is None:  # someone else moved it first
        raise IllegalShowTransition(f"show {show.id} changed state meanwhile; reload")
    await s.refresh(show)
    return show


async def do_start_show(s: AsyncSession, user: User, show_id: int) -> Show:
    show = await _transition(s, await access_show_as_host(s, user, show_id), "live")
    await _emit(s, "show.live", show)
    return show


async def do_end_show(s: AsyncSession, user: User, show_id: int) -> Show:
    show = await access_show_as_host(s, user, show_id)
    await _unpin(s, show)
    return await _transition(s, show, "ended")


async def do_pin(s: AsyncSession, user: User, show_id: int, product_id: int) -> Product:
    show = await access_show_as_host(s, user, show_id)
    if show.status != "live":
        raise ShowNotLive(f"show {show_id} is {show.status}; pin products while live")
    await check_product_in_lineup(s, show_id, product_id)
    await _unpin(s, show)
    show.pinned_product_id = product_id
    s.add(ShowPin(show_id=show_id, product_id=product_id))
    return await access_product(s, product_id)


async def _unpin(s: AsyncSession, show: Show) -> None:
    show.pinned_product_id = None
    await s.execute(
        update(ShowPin)
        .where(ShowPin.show_id == show.id, ShowPin.unpinned_at.is_(None))
        .values(unpinned_at=utcnow())
    )


async def do_unpin(s: AsyncSession, user: User, show_id: int) -> None:
    await _unpin(s, await access_show_as_host(s, user, show_id))


def check_chat_text(text: str, max_length: int) -> str:
    text = text.strip()
    if not text:
        raise ChatEmpty("write something first")
    if len(text) > max_length:
        raise ChatTooLong(f"messages are at most {max_length} characters")
    if "\x00" in text:  # PostgreSQL cannot store it (HTTP requests are refused at the door)
        raise ChatBadCharacter("messages must not contain NUL (U+0000) characters")
    return text


async def do_post_chat(
    s: AsyncSession,
    user: User,
    show_id: int,
    text: str,
    max_length: int,
    *,
    rate_check: Callable[[int, int], Awaitable[None]] | None = None,
) -> ChatMessage:
    """Store one message. ``rate_check(show_id, user_id)`` runs last, so refused messages
    (ended show, muted user) do not use up the sender's rate budget."""
    text = check_chat_text(text, max_length)
    show = await access_show(s, show_id)
    if show.status == "ended":
        raise ShowNotLive("this show has ended; chat is closed")
    muted = await s.scalar(
        select(RoomMute.id).where(RoomMute.show_id == show_id, RoomMute.user_id == user.id)
    )
    if muted is not None:
        raise Muted("the host muted you in this room")
    if rate_check is not None:
        await rate_check(show_id, user.id)
    message = ChatMessage(show_id=show_id, user_id=user.id, text=text)
    s.add(message)
    await record(s, "chat", user_id=user.id, show_id=show_id)
    await s.flush()
    return message


async def do_delete_chat(s: AsyncSession, user: User, show_id: int, message_id: int) -> None:
    await access_show_as_host(s, user, show_id)
    changed = await s.scalar(
        update(ChatMessage)
        .where(ChatMessage.id == message_id, ChatMessage.show_id == show_id)
        .values(deleted=True, deleted_by=user.id)
        .returning(ChatMessage.id)
    )
    if changed is None:
        raise NotFound(f"message {message_id} is not in show {show_id}")
    await _audit_moderation(s, user, "chat.delete", "chat_message", message_id, show_id)


async def do_mute(s: AsyncSession, user: User, show_id: int, target_id: int) -> None:
    show = await access_show_as_host(s, user, show_id)
    if target_id == show.host_id:
        raise Forbidden("the host cannot be muted in their own show")
    if await s.get(User, target_id) is None:
        raise NotFound(f"user {target_id} does not exist")
    exists = await s.scalar(
        select(RoomMute.id).where(RoomMute.show_id == show_id, RoomMute.user_id == target_id)
    )
    if exists is None:
        s.add(RoomMute(show_id=show_id, user_id=target_id, muted_by=user.id))
        await _audit_moderation(s, user, "room.mute", "user", target_id, show_id)


async def do_unmute(s: AsyncSession, user: User, show_id: int, target_id: int) -> None:
    await access_show_as_host(s, user, show_id)
    result = await s.execute(
        delete(RoomMute).where(RoomMute.show_id == show_id, RoomMute.user_id == target_id)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        await _audit_moderation(s, user, "room.unmute", "user", target_id, show_id)


async def _audit_moderation(
    s: AsyncSession, user: User, action: str, target_type: str, target_id: int, show_id: int
) -> None:
    """Operators moderating any room are audited (invariant 6); hosts in their own are not."""
    if "operator" in user.roles:
        await do_audit(s, user, action, target_type, target_id, after={"show_id": show_id})


async def recent_chat(s: AsyncSession, show_id: int, limit: int = 50) -> list[ChatOut]:
    rows = await s.execute(
        select(ChatMessage, User.display_name)
        .join(User, User.id == ChatMessage.user_id)
        .where(ChatMessage.show_id == show_id, ChatMessage.deleted.is_(False))
        .order_by(ChatMessage.id.desc())
        .limit(limit)
    )
    return [chat_out(m, name) for m, name in reversed(rows.all())]


def chat_out(message: ChatMessage, name: str) -> ChatOut:
    return ChatOut(
        id=message.id, user_id=message.user_id, name=name, text=message.text, at=message.created_at
    )


async def show_out(s: AsyncSession, show: Show, viewers: int = 0, *, hls_base: str = "") -> ShowOut:
    """``hls_base`` (settings.public_hls_url) adds the playback URL while the show is live."""
    host = await s.get(User, show.host_id)
    assert host is not None
    products = await lineup(s, show.id)
    pinned = next((p for p in products if p.id == show.pinned_product_id), None)
    return ShowOut(
        id=show.id,
        title=show.title,
        description=show.description,
        cover_url=show.cover_url,
        status=show.status,
        scheduled_start=show.scheduled_start,
        started_at=show.started_at,
        ended_at=show.ended_at,
        host=HostOut(id=host.id, name=host.display_name, avatar_url=host.avatar_url),
        lineup=[product_out(p) for p in products],
        pinned=product_out(pinned) if pinned else None,
        viewers=viewers,
        hls_url=playback_url(hls_base, show.id) if hls_base and show.status == "live" else None,
    )


async def notify_show_status(bus: Bus, show: Show) -> None:
    kind = "show.started" if show.status == "live" else "show.ended"
    await bus.publish(room_channel(show.id), kind, {"status": show.status})


async def notify_pin(bus: Bus, show_id: int, product: Product | None) -> None:
    if product is None:
        await bus.publish(room_channel(show_id), "unpin", {})
    else:
        await bus.publish(
            room_channel(show_id), "pin", {"product": product_out(product).model_dump(mode="json")}
        )


async def notify_chat(bus: Bus, show_id: int, chat: ChatOut) -> None:
    await bus.publish(room_channel(show_id), "chat", chat.model_dump(mode="json"))


async def notify_chat_deleted(bus: Bus, show_id: int, message_id: int) -> None:
    await bus.publish(room_channel(show_id), "chat.deleted", {"id": message_id})


async def notify_muted(bus: Bus, show_id: int, user_id: int) -> None:
    await bus.publish(room_channel(show_id), "user.muted", {"user_id": user_id})
