"""Last-touch attribution for orders placed outside a show or a short video (a product page, the
cart): the order goes to the buyer's latest touch within the attribution window that concerns
one of its products. Touches come from the event log:

- ``affiliate.click`` on a host's link to the product (channel "link");
- ``room.join`` of a show whose line-up holds the product (channel "live");
- ``replay.view`` of such a show's replay (channel "replay");
- ``video.view`` of a short video tagging the product (channel "video").

A host's own touches never credit themselves. An anonymous link click counts when its event id
rides in the buyer's cookie (the shopper signed in after clicking). Orders placed in a room or
under a short video are attributed to that context directly: it is the last touch by definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.models import Event
from hawker.core.clock import utcnow
from hawker.live.models import Show, ShowProduct
from hawker.live.service import access_show
from hawker.video.clips import access_attribution
from hawker.video.models import ShortVideo, ShortVideoProduct

CHANNEL_OF = {
    "affiliate.click": "link",
    "room.join": "live",
    "replay.view": "replay",
    "video.view": "video",
}
RECENT = 200  # touches looked at, newest first; a buyer rarely has more in a window


CLICK_COOKIE = "hawker_click"


@dataclass(frozen=True)
class Lookback:
    """How an order looks for its last touch: the window, and an anonymous click's event id
    from the buyer's cookie."""

    window_days: int = 7
    click_id: int | None = None

    @classmethod
    def of(cls, cookies: Mapping[str, str], window_days: int) -> Lookback:
        raw = cookies.get(CLICK_COOKIE, "")
        return cls(window_days, int(raw) if raw.isdigit() and len(raw) < 19 else None)


FEED_COOKIE = "hawker_feed"


@dataclass(frozen=True)
class FeedClick:
    """The shopper's latest click on a front-page item, carried in a cookie as
    ``<section>.<kind>.<id>`` (set by the feed's ``/go``). An order is attributed to the
    section when it buys what was clicked: in the show clicked (or its replay: the cookie
    names the show), a product clicked, or under the short video clicked."""

    section_id: int
    kind: str
    item_id: int

    @classmethod
    def of(cls, cookies: Mapping[str, str]) -> FeedClick | None:
        parts = cookies.get(FEED_COOKIE, "").split(".")
        if len(parts) != 3 or not all(p.isdigit() and len(p) < 10 for p in parts[::2]):
            return None
        if parts[1] not in ("show", "product", "video"):
            return None
        return cls(int(parts[0]), parts[1], int(parts[2]))

    def cookie(self) -> str:
        return f"{self.section_id}.{self.kind}.{self.item_id}"

    def section_for(
        self, show_id: int | None, video_id: int | None, product_ids: set[int]
    ) -> int | None:
        bought = {
            "show": show_id is not None and show_id == self.item_id,
            "video": video_id is not None and video_id == self.item_id,
            "product": self.item_id in product_ids,
        }
        return self.section_id if bought[self.kind] else None


@dataclass(frozen=True)
class Touch:
    channel: str
    host_id: int
    show_id: int | None = None
    video_id: int | None = None
    link_id: int | None = None


async def last_touch(
    s: AsyncSession,
    buyer_id: int,
    product_ids: set[int],
    lookback: Lookback,
) -> Touch | None:
    since = utcnow() - timedelta(days=lookback.window_days)
    mine = Event.user_id == buyer_id
    if lookback.click_id is not None:  # an anonymous click carried in by cookie
        mine = or_(mine, (Event.id == lookback.click_id) & Event.user_id.is_(None))
    events = list(
        await s.scalars(
            select(Event)
            .where(mine, Event.type.in_(CHANNEL_OF), Event.at >= since)
            .order_by(Event.at.desc(), Event.id.desc())
            .limit(RECENT)
        )
    )
    shows = await _shows_selling(s, {e.show_id for e in events if e.show_id}, product_ids)
    videos = await _videos_selling(s, {_video(e) for e in events} - {None}, product_ids)
    for e in events:
        touch = _touch(e, product_ids, shows, videos)
        if touch is not None and touch.host_id != buyer_id:
            return touch
    return None


def _video(e: Event) -> int | None:
    return int(e.data["video_id"]) if e.type == "video.view" and e.data else None


def _touch(
    e: Event, product_ids: set[int], shows: dict[int, int], videos: dict[int, int]
) -> Touch | None:
    channel = CHANNEL_OF[e.type]
    if e.type == "affiliate.click" and e.data and e.product_id in product_ids:
        return Touch(channel, int(e.data["host_id"]), link_id=int(e.data["link_id"]))
    if e.show_id in shows:
        return Touch(channel, shows[e.show_id], show_id=e.show_id)
    video = _video(e)
    if video in videos:
        return Touch(channel, videos[video], video_id=video)
    return None


async def _shows_selling(
    s: AsyncSession, show_ids: set[int], product_ids: set[int]
) -> dict[int, int]:
    """The shows among ``show_ids`` whose line-up holds one of the products -> their host."""
    if not show_ids:
        return {}
    rows = await s.execute(
        select(Show.id, Show.host_id)
        .join(ShowProduct, ShowProduct.show_id == Show.id)
        .where(Show.id.in_(show_ids), ShowProduct.product_id.in_(product_ids))
    )
    return {show_id: host_id for show_id, host_id in rows}


async def _videos_selling(
    s: AsyncSession, video_ids: set[int | None], product_ids: set[int]
) -> dict[int, int]:
    """The short videos among ``video_ids`` tagging one of the products -> their host."""
    if not video_ids:
        return {}
    rows = await s.execute(
        select(ShortVideo.id, ShortVideo.host_id)
        .join(ShortVideoProduct, ShortVideoProduct.video_id == ShortVideo.id)
        .where(ShortVideo.id.in_(video_ids), ShortVideoProduct.product_id.in_(product_ids))
    )
    return {video_id: host_id for video_id, host_id in rows}


@dataclass(frozen=True)
class Credit:
    """Who and what an order is attributed to."""

    channel: str
    show_id: int | None
    host_id: int | None
    video_id: int | None
    link_id: int | None
    section_id: int | None


async def credit(
    s: AsyncSession,
    buyer_id: int,
    product_ids: set[int],
    *,
    channel: str,
    show_id: int | None,
    video_id: int | None,
    deal_show: tuple[int, int] | None,
    lookback: Lookback,
    feed: FeedClick | None,
) -> Credit:
    """An order's attribution, decided once when it is placed: where it was bought (a short
    video that really tags what is bought, a show, a flash deal's show and host), else the
    buyer's last touch. A purchase of what the buyer last clicked on the front page also names
    that section, and is channel "feed" when it was not bought in a room or under a clip."""
    in_context = video_id is not None or show_id is not None or deal_show is not None
    host_id: int | None = None
    link_id: int | None = None
    if video_id is not None:  # the clip's host, if it really tags what is bought
        host_id = await access_attribution(s, video_id, product_ids)
    elif show_id is not None:
        host_id = (await access_show(s, show_id)).host_id
        channel = "live" if channel == "direct" else channel  # bought while in the show
    elif deal_show is not None:
        show_id, host_id = deal_show
        channel = "live" if channel == "direct" else channel
    else:
        touch = await last_touch(s, buyer_id, product_ids, lookback)
        if touch is not None:
            channel, host_id = touch.channel, touch.host_id
            show_id, video_id, link_id = touch.show_id, touch.video_id, touch.link_id
    section_id = feed.section_for(show_id, video_id, product_ids) if feed else None
    if section_id is not None and not in_context:
        channel = "feed"  # bought on the page the front page led to, not in a room or clip
    return Credit(channel, show_id, host_id, video_id, link_id, section_id)
