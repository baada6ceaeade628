"""Live ingest rules: stream keys, and nginx's publish callbacks flipping shows live or ended.

A key is ``{show_id}-{mac}``, the mac an HMAC of (show, host, nonce) under the server's secret
key: the show id lets a callback find the row at once, the mac proves the key is current.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.config import Settings
from hawker.core.ids import new_token
from hawker.infra.bus import Bus
from hawker.live import service as live
from hawker.live.models import Show
from hawker.video.errors import AlreadyPublishing, BadCallbackSecret, StreamKeyRefused
from hawker.video.models import StreamKey
from hawker.video.schemas import StreamOut

_KEY = re.compile(r"^([0-9]{1,12})-([A-Za-z0-9_\-]{32})$")
_SHOW_PREFIX = re.compile(r"^([0-9]{1,12})-")


def _mac(secret: str, message: str) -> str:
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def callback_secret(secret_key: str) -> str:
    """The shared secret nginx puts in its callback URLs (derived, so nothing new to keep)."""
    return _mac(secret_key, "hawker-rtmp-callback")


def check_callback_secret(secret_key: str, given: str) -> None:
    if not hmac.compare_digest(given.encode(), callback_secret(secret_key).encode()):
        raise BadCallbackSecret("callbacks must carry the media server's secret")


def stream_key(secret_key: str, show: Show, row: StreamKey) -> str:
    return f"{show.id}-{_mac(secret_key, f'stream-key:{show.id}:{show.host_id}:{row.nonce}')}"


async def _key_row(s: AsyncSession, show_id: int) -> StreamKey:
    """The show's key row, made on first use (a savepoint absorbs a concurrent first use)."""
    row = await s.get(StreamKey, show_id, with_for_update=True)
    if row is not None:
        return row
    try:
        async with s.begin_nested():
            row = StreamKey(show_id=show_id, nonce=new_token(24))
            s.add(row)
    except IntegrityError:
        row = await s.get(StreamKey, show_id, with_for_update=True, populate_existing=True)
        assert row is not None
    return row


async def access_stream(s: AsyncSession, user: User, show_id: int) -> tuple[Show, StreamKey]:
    show = await live.access_show_as_host(s, user, show_id)
    return show, await _key_row(s, show_id)


async def do_rotate_stream_key(
    s: AsyncSession, user: User, show_id: int, secret_key: str
) -> tuple[Show, StreamKey, str | None]:
    """A new key; the old one is refused from now on. Also forgets the recorded publisher, so
    a host whose encoder vanished without nginx saying so can publish again. Returns the old
    key when an encoder was publishing with it (the caller asks nginx to drop that encoder)."""
    show, row = await access_stream(s, user, show_id)
    old = stream_key(secret_key, show, row) if row.publisher is not None else None
    row.nonce = new_token(24)
    row.rotated_at = utcnow()
    row.publisher = row.publishing_since = None
    return show, row, old


def stream_out(settings: Settings, show: Show, row: StreamKey) -> StreamOut:
    return StreamOut(
        show_id=show.id,
        rtmp_url=settings.public_rtmp_url,
        stream_key=stream_key(settings.secret_key, show, row),
        publishing=row.publisher is not None,
        publishing_since=row.publishing_since,
        hls_url=live.playback_url(settings.public_hls_url, show.id),
        rotated_at=row.rotated_at,
    )


async def do_accept_publisher(
    s: AsyncSession, secret_key: str, name: str, client: str
) -> tuple[Show, bool]:
    """Check a publishing encoder's key; a scheduled show goes live. Returns the show and
    whether it just went live. Refuses wrong, rotated and ended keys, and a second encoder."""
    match = _KEY.match(name)
    if match is None:
        raise StreamKeyRefused("that is not a Hawker stream key")
    show_id = int(match.group(1))
    row = await s.get(StreamKey, show_id, with_for_update=True)
    show = await s.get(Show, show_id)
    if row is None or show is None:
        raise StreamKeyRefused("no show has that stream key")
    if not hmac.compare_digest(name.encode(), stream_key(secret_key, show, row).encode()):
        raise StreamKeyRefused("wrong or rotated stream key")
    if show.status == "ended":
        raise StreamKeyRefused(f"show {show_id} has ended; schedule a new show")
    if row.publisher is not None and row.publisher != client:
        raise AlreadyPublishing(f"show {show_id} already has an encoder; rotate the key to reset")
    went_live = show.status == "scheduled"
    if went_live:
        show = await live.do_start_show(s, await _host(s, show), show_id)
    row.publisher, row.publishing_since = client, utcnow()
    return show, went_live


@dataclass(frozen=True)
class Release:
    show: Show
    ended: bool  # the show was live and has now ended
    unpinned: bool  # ending it took down a pin


async def do_release_publisher(s: AsyncSession, name: str, client: str) -> Release | None:
    """The accepted encoder stopped: a live show ends. None when the notice is not about the
    current publisher (a refused second encoder, or one from before a rotation)."""
    match = _SHOW_PREFIX.match(name)
    if match is None:
        return None
    row = await s.get(StreamKey, int(match.group(1)), with_for_update=True)
    if row is None or row.publisher != client:
        return None
    row.publisher = row.publishing_since = None
    show = await live.access_show(s, row.show_id)
    if show.status != "live":
        return Release(show, ended=False, unpinned=False)
    unpinned = show.pinned_product_id is not None
    show = await live.do_end_show(s, await _host(s, show), show.id)
    return Release(show, ended=True, unpinned=unpinned)


async def _host(s: AsyncSession, show: Show) -> User:
    host = await s.get(User, show.host_id)
    assert host is not None  # shows reference their host
    return host


async def notify_video(bus: Bus, show_id: int, publishing: bool) -> None:
    """Tell the room's players to (re)load, and the studio whether video is arriving."""
    data = {"publishing": publishing}
    await bus.publish(live.room_channel(show_id), "video", data)
    await bus.publish(live.studio_channel(show_id), "video", data)
