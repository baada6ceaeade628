"""Campaigns API: operators run campaigns, schedules and boosts; merchants and hosts apply;
anyone reads a campaign and its live GMV."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hawker.accounts.auth import current_user, optional_user, require_role, runtime
from hawker.accounts.models import User
from hawker.campaigns import boosts, listeners, schedule, service
from hawker.campaigns.errors import BadScheduleFile
from hawker.campaigns.schemas import (
    BoostIn,
    BoostOut,
    BoostReportOut,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignStatsOut,
    DecisionIn,
    EntryOut,
    FeatureIn,
    GmvOut,
    ImportOut,
    ProductsApplyIn,
    ShowsApplyIn,
)
from hawker.core.clock import utcnow
from hawker.core.money import format_money
from hawker.creators.schemas import LeaderboardOut, LeaderEntryOut
from hawker.infra.bus import BusEvent
from hawker.infra.runtime import Runtime
from hawker.infra.sse import bus_stream

router = APIRouter(prefix="/api", tags=["campaigns"])
MAX_SCHEDULE_BYTES = 2_000_000


@router.post("/campaigns", status_code=201)
async def create_campaign(
    body: CampaignIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> CampaignOut:
    async with rt.db.write() as s:
        campaign = await service.do_create_campaign(s, user, body.model_dump())
        return CampaignOut.model_validate(campaign)


@router.get("/campaigns")
async def list_campaigns(rt: Runtime = Depends(runtime)) -> list[CampaignOut]:
    async with rt.db.read() as s:
        return [CampaignOut.model_validate(c) for c in await service.list_campaigns(s)]


@router.get("/campaigns/{campaign_id}")
async def get_campaign(campaign_id: int, rt: Runtime = Depends(runtime)) -> CampaignOut:
    async with rt.db.read() as s:
        return CampaignOut.model_validate(await service.access_campaign(s, campaign_id))


@router.patch("/campaigns/{campaign_id}")
async def change_campaign(
    campaign_id: int,
    body: CampaignPatch,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> CampaignOut:
    values = body.model_dump(exclude_unset=True, exclude_none=True)
    async with rt.db.write() as s:
        campaign = await service.do_update_campaign(s, user, campaign_id, values)
        return CampaignOut.model_validate(campaign)


@router.post("/campaigns/{campaign_id}/products", status_code=201)
async def apply_products(
    campaign_id: int,
    body: ProductsApplyIn,
    user: User = Depends(require_role("merchant")),
    rt: Runtime = Depends(runtime),
) -> list[EntryOut]:
    """A merchant enters its own products at deal prices; operators decide."""
    items = [i.model_dump() for i in body.items]
    async with rt.db.write() as s:
        entries = await service.do_apply_products(s, user, campaign_id, items)
        return [EntryOut.model_validate(e) for e in entries]


@router.post("/campaigns/{campaign_id}/shows", status_code=201)
async def apply_shows(
    campaign_id: int,
    body: ShowsApplyIn,
    user: User = Depends(require_role("host")),
    rt: Runtime = Depends(runtime),
) -> list[EntryOut]:
    """A host enters their own scheduled shows; operators decide."""
    items = [i.model_dump() for i in body.items]
    async with rt.db.write() as s:
        entries = await schedule.do_apply_shows(s, user, campaign_id, items)
        return [EntryOut.model_validate(e) for e in entries]


@router.get("/campaigns/{campaign_id}/entries")
async def list_entries(
    campaign_id: int,
    status: str | None = None,
    kind: str | None = None,
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> list[EntryOut]:
    """Operators see every entry; everyone else the approved ones."""
    if user is None or not user.has_role("operator"):
        status = "approved"
    async with rt.db.read() as s:
        await service.access_campaign(s, campaign_id)
        entries = await service.list_entries(s, campaign_id, status=status, kind=kind)
        return [EntryOut.model_validate(e) for e in entries]


@router.post("/campaign-entries/{entry_id}/decision")
async def decide(
    entry_id: int,
    body: DecisionIn,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> EntryOut:
    async with rt.db.write() as s:
        return EntryOut.model_validate(await service.do_decide(s, user, entry_id, body.status))


@router.post("/campaign-entries/{entry_id}/feature")
async def feature(
    entry_id: int,
    body: FeatureIn,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> EntryOut:
    """Flag an approved show as a featured event (top of the front page while live)."""
    async with rt.db.write() as s:
        return EntryOut.model_validate(await service.do_feature(s, user, entry_id, body.featured))


@router.post("/campaigns/{campaign_id}/schedule", status_code=201)
async def import_schedule(
    campaign_id: int,
    request: Request,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> ImportOut:
    """Bulk-import shows from a CSV body (``text/csv``; columns host_email, title, start,
    duration_minutes, product_ids): all rows or none."""
    service.check_operator(user)
    raw = await request.body()
    if len(raw) > MAX_SCHEDULE_BYTES:
        raise BadScheduleFile(f"a schedule file is at most {MAX_SCHEDULE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadScheduleFile("the schedule file must be UTF-8 text") from e
    async with rt.db.write() as s:
        entries = await schedule.do_import_schedule(s, user, campaign_id, text)
        return ImportOut(shows=len(entries), entries=[EntryOut.model_validate(e) for e in entries])


@router.get("/campaigns/{campaign_id}/gmv")
async def gmv(campaign_id: int, rt: Runtime = Depends(runtime)) -> list[GmvOut]:
    """The campaign's live net GMV per currency (public: the landing page shows it)."""
    async with rt.db.read() as s:
        await service.access_campaign(s, campaign_id)
        return [GmvOut(**vars(g)) for g in await listeners.campaign_gmv(s, campaign_id)]


@router.get("/campaigns/{campaign_id}/leaderboard")
async def leaderboard(campaign_id: int, rt: Runtime = Depends(runtime)) -> LeaderboardOut:
    """Public: the festival's hosts by the GMV they sold in it (moves with ``/gmv``)."""
    async with rt.db.read() as s:
        campaign = await service.access_campaign(s, campaign_id)
        entries = await listeners.campaign_hosts(s, campaign_id, campaign.currency)
    return LeaderboardOut(
        board="hosts",
        period="campaign",
        currency=campaign.currency,
        entries=[
            LeaderEntryOut(**vars(e), gmv_display=format_money(e.gmv, campaign.currency))
            for e in entries
        ],
    )


@router.get("/campaigns/{campaign_id}/gmv-stream")
async def gmv_stream(
    campaign_id: int, request: Request, rt: Runtime = Depends(runtime)
) -> Response:
    """Server-sent events: ``changed`` whenever the GMV sweep moved campaign figures (on any
    node); pages then refetch ``/gmv``."""
    async with rt.db.read() as s:
        await service.access_campaign(s, campaign_id)

    async def changed(_: BusEvent) -> str:
        return "{}"

    return bus_stream(request, rt.bus, listeners.CHANNEL, "changed", changed)


@router.get("/campaigns/{campaign_id}/stats")
async def stats(
    campaign_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> CampaignStatsOut:
    """What the campaign's boosts bought: impressions per boost and the GMV of boosted items."""
    service.check_operator(user)
    async with rt.db.read() as s:
        await service.access_campaign(s, campaign_id)
        lines = await boosts.boost_lines(s, campaign_id, utcnow().date())
        figures = await listeners.campaign_gmv(s, campaign_id)
    return CampaignStatsOut(
        campaign_id=campaign_id,
        gmv=[GmvOut(**vars(g)) for g in figures],
        boosts=[
            BoostReportOut(
                boost=BoostOut.model_validate(b.boost),
                impressions_today=b.today,
                impressions_total=b.total,
            )
            for b in lines
        ],
        boost_impressions=sum(b.total for b in lines),
    )


@router.post("/boosts", status_code=201)
async def create_boost(
    body: BoostIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> BoostOut:
    async with rt.db.write() as s:
        return BoostOut.model_validate(await boosts.do_create_boost(s, user, body.model_dump()))


@router.delete("/boosts/{boost_id}")
async def end_boost(
    boost_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> BoostOut:
    async with rt.db.write() as s:
        return BoostOut.model_validate(await boosts.do_end_boost(s, user, boost_id))
