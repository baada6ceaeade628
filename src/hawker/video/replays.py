"""Replay rules: which recordings become replays, when a recording started, and where a
show's pins fall in it (product moments).

nginx records every relayed show as ``RECORDINGS/show-ID-UNIXTIME.flv`` and posts
``record_done`` when the file is closed; the replay job (``video/jobs.py``) turns it into an
MP4 and calls ``do_save_replay``. Moments are computed on read from the show's pin history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.analytics.service import record
from hawker.catalog.service import access_product, product_out
from hawker.live import service as live
from hawker.live.models import Show, ShowPin
from hawker.live.schemas import HostOut
from hawker.video.errors import BadRecording, NoReplay
from hawker.video.models import Replay
from hawker.video.schemas import MomentOut, ReplayCard, ReplayOut

_SHOW_NAME = re.compile(r"^show-([0-9]{1,9})$")  # ids are 32-bit integer columns
_RECORDING = re.compile(r"^show-([0-9]{1,9})-([0-9]{1,12})\.flv$")
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Recording:
    show_id: int
    path: Path  # resolved, inside the recordings folder
    stamp: int  # unix second nginx opened the file (its record_unique suffix)


def check_recording(recordings_dir: Path, name: str, path: str) -> Recording:
    """A record_done notice names the stream (``show-ID``) and the file nginx wrote; the file
    must be one of ours, for that show, inside the recordings folder (never a path elsewhere
    that a forged notice could make the job read or delete)."""
    stream = _SHOW_NAME.match(name)
    if stream is None:
        raise BadRecording(f"{name!r} is not a show's stream name (show-ID)")
    root = recordings_dir.resolve()
    file = Path(path).resolve() if path.startswith("/") else None
    if file is None or file.parent != root:
        raise BadRecording(f"recordings must be in {root}")
    found = _RECORDING.match(file.name)
    if found is None or found.group(1) != stream.group(1):
        raise BadRecording(f"{file.name!r} is not a recording of {name}")
    return Recording(int(stream.group(1)), file, int(found.group(2)))


def recording_start(stamp: int, done_at: datetime, duration_s: float) -> datetime:
    """When the recording's first frame was live. nginx's file name says the second it opened
    the file; the end of the recording minus its length says it to the millisecond, unless
    the stream idled before nginx closed it, so that estimate is kept within the named second."""
    opened = datetime(1970, 1, 1) + timedelta(seconds=stamp)
    estimate = done_at - timedelta(seconds=duration_s)
    return min(max(estimate, opened), opened + timedelta(seconds=1))


@dataclass(frozen=True)
class Pin:
    product_id: int
    pinned_at: datetime
    unpinned_at: datetime | None


@dataclass(frozen=True)
class Moment:
    product_id: int
    offset_s: float


def product_moments(pins: Iterable[Pin], started_at: datetime, duration_s: float) -> list[Moment]:
    """Each pin that was up while recording becomes a moment at the offset it went up,
    clamped to 0 when it went up before the recording began. Pins over before the recording
    or made after it are dropped; a product pinned twice has two moments. In time order."""
    ends_at = started_at + timedelta(seconds=duration_s)
    moments = []
    for pin in sorted(pins, key=lambda p: p.pinned_at):
        if pin.pinned_at >= ends_at:
            continue
        if pin.unpinned_at is not None and pin.unpinned_at <= started_at:
            continue
        offset = max(0.0, (pin.pinned_at - started_at).total_seconds())
        moments.append(Moment(pin.product_id, offset))
    return moments


async def do_save_replay(
    s: AsyncSession,
    recording: Recording,
    *,
    video_url: str,
    poster_url: str,
    duration_s: float,
    started_at: datetime,
) -> tuple[Replay, bool]:
    """The show's replay, and whether this recording became it. A show keeps one replay, its
    longest recording: a shorter or equal one (a reconnect's stub, the same one twice) changes
    nothing."""
    current = await s.scalar(
        select(Replay).where(Replay.show_id == recording.show_id).with_for_update()
    )
    if current is not None and current.duration_s >= duration_s:
        return current, False
    if current is None:
        current = Replay(show_id=recording.show_id)
        s.add(current)
    current.recording = recording.path.name
    current.video_url, current.poster_url = video_url, poster_url
    current.duration_s, current.recording_started_at = duration_s, started_at
    await s.flush()
    return current, True


async def replay_of(s: AsyncSession, show_id: int) -> Replay | None:
    found: Replay | None = await s.scalar(select(Replay).where(Replay.show_id == show_id))
    return found


async def access_replay(s: AsyncSession, show_id: int) -> tuple[Show, Replay]:
    show = await live.access_show(s, show_id)
    replay = await replay_of(s, show_id)
    if replay is None:
        raise NoReplay(f"show {show_id} has no replay (yet)", show_status=show.status)
    return show, replay


async def do_record_view(s: AsyncSession, viewer: User, show: Show) -> None:
    """A signed-in viewer opened the replay: a touch that can win a later order (attribution)."""
    await record(s, "replay.view", user_id=viewer.id, show_id=show.id)


async def replay_out(s: AsyncSession, show: Show, replay: Replay) -> ReplayOut:
    pins = await s.scalars(select(ShowPin).where(ShowPin.show_id == show.id))
    moments = product_moments(
        (Pin(p.product_id, p.pinned_at, p.unpinned_at) for p in pins),
        replay.recording_started_at,
        replay.duration_s,
    )
    products = {}
    for m in moments:
        if m.product_id not in products:
            products[m.product_id] = product_out(await access_product(s, m.product_id))
    return ReplayOut(
        show_id=show.id,
        title=show.title,
        host=await _host(s, show),
        video_url=replay.video_url,
        poster_url=replay.poster_url,
        duration_s=replay.duration_s,
        recorded_at=replay.recording_started_at,
        created_at=replay.created_at,
        moments=[
            MomentOut(
                product_id=m.product_id,
                offset_s=m.offset_s,
                title=products[m.product_id].title,
                image_url=products[m.product_id].image_url,
                price_from=products[m.product_id].price_from,
                currency=products[m.product_id].currency,
                price_display=products[m.product_id].price_display,
            )
            for m in moments
        ],
        products=list(products.values()),
    )


async def list_replays(
    s: AsyncSession, *, limit: int, before: int | None, host_id: int | None = None
) -> list[ReplayCard]:
    """Replays of ended shows (of one host's, given ``host_id``), newest first; ``before``
    (the last id of the previous page) pages on. (A live show can already have one, of a
    recording before its encoder reconnected; it is listed once the show is over.)"""
    stmt = select(Replay, Show).join(Show, Show.id == Replay.show_id).where(Show.status == "ended")
    if host_id is not None:
        stmt = stmt.where(Show.host_id == host_id)
    if before is not None:
        stmt = stmt.where(Replay.id < before)
    rows = await s.execute(stmt.order_by(Replay.id.desc()).limit(limit))
    cards = []
    for replay, show in rows.all():
        cards.append(
            ReplayCard(
                id=replay.id,
                show_id=show.id,
                title=show.title,
                host=await _host(s, show),
                poster_url=replay.poster_url,
                duration_s=replay.duration_s,
                created_at=replay.created_at,
            )
        )
    return cards


async def _host(s: AsyncSession, show: Show) -> HostOut:
    host = await s.get(User, show.host_id)
    assert host is not None  # shows reference their host
    return HostOut(id=host.id, name=host.display_name, avatar_url=host.avatar_url)
