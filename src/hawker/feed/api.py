"""Front-page API: the shopper's feed as JSON, the operators' draft / publish / rollback,
previews as a given shopper, section metrics, and ``/go``, the click-through every measured
front-page link takes."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.requests import Request

from hawker.accounts.auth import current_user, optional_user, runtime
from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import NotFound
from hawker.experiments.surfaces import DEVICE_COOKIE
from hawker.feed import layouts, stats
from hawker.feed.cache import impressions, section_cache
from hawker.feed.models import FrontPageLayout
from hawker.feed.schemas import (
    DraftIn,
    FeedItemOut,
    FeedSectionOut,
    LayoutOut,
    PublishIn,
    RollbackIn,
    SectionMetricsOut,
    SourceOut,
)
from hawker.feed.service import SectionView, front_page, preview_page, published_key
from hawker.feed.sources import SOURCES
from hawker.infra.runtime import Runtime
from hawker.orders.attribution import FEED_COOKIE, FeedClick
from hawker.video.models import Replay

router = APIRouter(tags=["front page"])


def feed_out(page: list[SectionView]) -> list[FeedSectionOut]:
    return [
        FeedSectionOut(
            id=v.id,
            title=v.title,
            source=v.source,
            items=[
                FeedItemOut(
                    kind=i.kind,
                    id=i.id,
                    title=i.title,
                    href=i.href,
                    image_url=i.image_url,
                    promoted=i.promoted,
                    score=i.score,
                )
                for i in v.items
            ],
        )
        for v in page
    ]


def layout_out(row: FrontPageLayout | None) -> LayoutOut:
    if row is None:  # nothing published yet: the built-in default
        return LayoutOut(
            version=0,
            sections=layouts.DEFAULT_SECTIONS,
            note="default",
            author_id=0,
            created_at=utcnow(),
        )
    return LayoutOut(
        version=row.version,
        sections=layouts.sections_of(row),
        note=row.note,
        author_id=row.author_id,
        created_at=row.created_at,
    )


@router.get("/api/feed")
async def feed(
    request: Request, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> list[FeedSectionOut]:
    """The front page as the caller sees it (the JSON twin of ``/``)."""
    page = await front_page(
        rt,
        user,
        request.headers.get("accept-language", ""),
        device=request.cookies.get(DEVICE_COOKIE),
    )
    return feed_out(page)


@router.get("/api/front-page/sources")
async def sources(user: User = Depends(current_user)) -> list[SourceOut]:
    layouts.check_operator(user)
    return [SourceOut(name=x.name, label=x.label) for x in SOURCES.values()]


@router.get("/api/front-page/draft")
async def get_draft(
    user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> LayoutOut:
    """The draft; before anyone saved one, the published layout (as version 0)."""
    layouts.check_operator(user)
    async with rt.db.read() as s:
        row = await layouts.draft(s) or await layouts.published(s)
        out = layout_out(row)
    return out.model_copy(update={"version": 0})


@router.put("/api/front-page/draft")
async def save_draft(
    body: DraftIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> LayoutOut:
    async with rt.db.write() as s:
        return layout_out(await layouts.do_save_draft(s, user, body.sections))


@router.post("/api/front-page/publish", status_code=201)
async def publish(
    body: PublishIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> LayoutOut:
    """Shoppers see the draft from their next page load; the version before it is kept."""
    async with rt.db.write() as s:
        out = layout_out(await layouts.do_publish(s, user, body.note))
    section_cache(rt).clear()  # this node at once; others within HAWKER_FEED_CACHE_SECONDS
    return out


@router.post("/api/front-page/rollback", status_code=201)
async def rollback(
    body: RollbackIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> LayoutOut:
    """Publish an earlier version again (as a new version) and reset the draft to it."""
    async with rt.db.write() as s:
        out = layout_out(await layouts.do_rollback(s, user, body.version))
    section_cache(rt).clear()
    return out


@router.get("/api/front-page/versions")
async def list_versions(
    user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> list[LayoutOut]:
    layouts.check_operator(user)
    async with rt.db.read() as s:
        return [layout_out(row) for row in await layouts.versions(s)]


@router.get("/api/front-page/preview")
async def preview(
    request: Request,
    as_user: int | None = Query(default=None, ge=1, le=2**31 - 1),
    version: int | None = Query(default=None, ge=1, le=2**31 - 1),
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> list[FeedSectionOut]:
    lang = request.headers.get("accept-language", "")
    return feed_out(await preview_page(rt, user, as_user, version, lang))


@router.get("/api/front-page/metrics")
async def metrics(
    days: int = Query(default=7, ge=1, le=366),
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> list[SectionMetricsOut]:
    """Per section over the last ``days`` days: shoppers who saw it, impressions, clicks, CTR,
    and the net GMV of orders bought through it."""
    layouts.check_operator(user)
    await impressions(rt).flush(rt)  # this node's latest page views
    async with rt.db.read() as s:
        rows = await stats.section_metrics(s, (utcnow() - timedelta(days=days - 1)).date())
    return [SectionMetricsOut(**vars(m), ctr=m.ctr) for m in rows]


@router.get("/go", include_in_schema=False)
async def click(
    s_: int = Query(alias="s", ge=1, le=2**31 - 1),
    k: Literal["show", "product", "video", "replay"] = Query(),
    item: int = Query(alias="id", ge=1, le=2**31 - 1),
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> RedirectResponse:
    """Count the click on a front-page item (and log it for experiments), remember it for
    attribution, go to the item."""
    key = await published_key(rt, s_)
    async with rt.db.write() as s:
        counted = await stats.do_record_click(
            s, user.id if user else None, s_, utcnow().date(), key
        )
        kind, target_id, path = k, item, f"/{k}s/{item}"
        if k == "replay":  # a replay is bought as its show: the click names the show
            show_id = await s.scalar(select(Replay.show_id).where(Replay.id == item))
            if show_id is None:
                raise NotFound(f"no replay {item}")
            kind, target_id, path = "show", show_id, f"/shows/{show_id}/replay"
    response = RedirectResponse(path, status_code=303)
    if counted:
        response.set_cookie(
            FEED_COOKIE,
            FeedClick(s_, kind, target_id).cookie(),
            max_age=rt.settings.feed_click_cookie_hours * 3600,
            httponly=True,
            samesite="lax",
            secure=rt.settings.cookie_secure,
        )
    return response
