"""Campaign pages: the operator's campaign list and campaign console (entries to decide, the
day's schedule by hour, CSV import, boosts and what they bought, live GMV), and the public
countdown landing page where merchants and hosts also apply."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.campaigns import boosts, listeners, listing, schedule, service
from hawker.core.clock import utcnow
from hawker.core.money import CURRENCY_EXPONENT
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
operator_user = require_role("operator")


def _in_currency(figures: list[listeners.Gmv], currency: str) -> listeners.Gmv:
    """The campaign's figures in its own currency (zero before the first sale)."""
    return next((f for f in figures if f.currency == currency), listeners.Gmv(currency, 0, 0, 0))


@router.get("/operator/campaigns")
async def campaigns(
    request: Request, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        rows = await service.list_campaigns(s)
    return render(
        request,
        "operator/campaigns.html",
        campaigns=rows,
        now=utcnow(),
        currencies=list(CURRENCY_EXPONENT),
    )


@router.get("/operator/campaigns/{campaign_id}")
async def campaign_console(
    request: Request,
    campaign_id: int,
    day: date | None = None,
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    now = utcnow()
    async with rt.db.read() as s:
        campaign = await service.access_campaign(s, campaign_id)
        if day is None:
            day = (
                now if campaign.starts_at <= now < campaign.ends_at else campaign.starts_at
            ).date()
        entries = await service.list_entries(s, campaign_id)
        names = await listing.entry_targets(s, entries)
        grid = await schedule.day_grid(s, campaign_id, day)
        boost_lines = await boosts.boost_lines(s, campaign_id, now.date())
        gmv = await listeners.campaign_gmv(s, campaign_id)
    days: list[date] = []
    d = campaign.starts_at.date()
    while d <= campaign.ends_at.date() and len(days) < 31:
        days.append(d)
        d += timedelta(days=1)
    return render(
        request,
        "operator/campaign.html",
        campaign=campaign,
        pending=[e for e in entries if e.status == "pending"],
        decided=[e for e in entries if e.status != "pending"],
        names=names,
        grid=grid,
        day=day,
        days=days,
        boost_lines=boost_lines,
        g=_in_currency(gmv, campaign.currency),
        now=now,
    )


@router.get("/campaigns/{slug}")
async def landing(request: Request, slug: str, rt: Runtime = Depends(runtime)) -> Response:
    """The public countdown page: counts down to the start, then to the end, with live GMV."""
    user: User | None = getattr(request.state, "user", None)
    now = utcnow()
    async with rt.db.read() as s:
        campaign = await service.access_campaign_by_slug(s, slug)
        featured = [f for f in await service.featured_live(s, now) if f.campaign_id == campaign.id]
        shows = await listing.approved_shows(s, campaign.id, since=now, limit=24)
        products = await listing.approved_products(s, campaign.id)
        gmv = await listeners.campaign_gmv(s, campaign.id)
        open_to_me = user is not None and campaign.ends_at > now
        own_products, own_shows = (
            await listing.candidates(s, user, campaign) if user and open_to_me else ([], [])
        )
    return render(
        request,
        "campaign.html",
        campaign=campaign,
        featured=featured,
        shows=shows,
        products=products,
        g=_in_currency(gmv, campaign.currency),
        now=now,
        own_products=own_products,
        own_shows=own_shows,
    )
