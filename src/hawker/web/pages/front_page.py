"""Operator front-page console: the draft's sections in order (move, add, remove), preview as
a shopper, publish, versions with rollback, and per-section metrics."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.feed import layouts, stats
from hawker.feed.cache import impressions
from hawker.feed.service import preview_page
from hawker.feed.sources import SOURCES
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.pages.home import rendered
from hawker.web.render import render

router = page_router()
operator_user = require_role("operator")
METRICS_DAYS = 7


@router.get("/operator/front-page")
async def front_page_console(
    request: Request, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    await impressions(rt).flush(rt)
    async with rt.db.read() as s:
        current = await layouts.published(s)
        draft = await layouts.draft(s) or current
        history = await layouts.versions(s)
        since = (utcnow() - timedelta(days=METRICS_DAYS - 1)).date()
        metrics = {m.section_id: m for m in await stats.section_metrics(s, since)}
    sections = [x.model_dump(mode="json") for x in layouts.sections_of(draft)]
    live = [x.id for x in layouts.sections_of(current)] if current else []
    rows = [metrics[i] for i in live if i in metrics]  # the page's order, then the rest seen
    rows += [m for m in metrics.values() if m.section_id not in live and m.impressions]
    return render(
        request,
        "operator/front_page.html",
        sections=sections,
        current=current,
        versions=history,
        metrics=rows,
        days=METRICS_DAYS,
        sources=list(SOURCES.values()),
    )


@router.get("/operator/front-page/preview")
async def preview(
    request: Request,
    as_user: int | None = Query(default=None, ge=1, le=2**31 - 1),
    version: int | None = Query(default=None, ge=1, le=2**31 - 1),
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    """The home page the shopper ``as_user`` would see with the draft (or a version)."""
    lang = request.headers.get("accept-language", "")
    page = await preview_page(rt, user, as_user, version, lang)
    what = f"version {version}" if version else "the draft"
    who = f"shopper {as_user}" if as_user else "a signed-out visitor"
    return render(
        request, "home.html", sections=rendered(page), preview=f"Preview of {what} as {who}"
    )
