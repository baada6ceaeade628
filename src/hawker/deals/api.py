"""Deals JSON API: hosts launch and end flash deals; anyone sees them. Buying is in orders."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.deals import service
from hawker.deals.schemas import DealIn, DealOut
from hawker.deals.stock_units import end_in_stock, warm_stock
from hawker.deals.ticker import notify_deal_ended, notify_deal_started
from hawker.infra.runtime import Runtime
from hawker.live.service import access_show

router = APIRouter(prefix="/api", tags=["deals"])


@router.post("/shows/{show_id}/deals", status_code=201)
async def launch_deal(
    show_id: int, body: DealIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> DealOut:
    async with rt.db.write() as s:
        deal = await service.do_launch_deal(
            s,
            user,
            show_id=show_id,
            sku_id=body.sku_id,
            deal_price=body.deal_price,
            quantity=body.quantity,
            per_buyer_limit=body.per_buyer_limit,
            duration_seconds=body.duration_seconds,
        )
        out = service.deal_out(deal)
    await warm_stock(rt, out.id)
    await notify_deal_started(rt.bus, out)
    return out


@router.get("/shows/{show_id}/deals")
async def show_deals(
    show_id: int, limit: int = Query(default=20, ge=1, le=100), rt: Runtime = Depends(runtime)
) -> list[DealOut]:
    async with rt.db.read() as s:
        await access_show(s, show_id)
        return [service.deal_out(d) for d in await service.list_deals(s, show_id, limit)]


@router.get("/deals/{deal_id}")
async def deal(deal_id: int, rt: Runtime = Depends(runtime)) -> DealOut:
    async with rt.db.read() as s:
        return service.deal_out(await service.access_deal(s, deal_id))


@router.post("/deals/{deal_id}/end")
async def end_deal(
    deal_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> DealOut:
    """Idempotent: ending an ended deal returns it unchanged and publishes nothing."""
    async with rt.db.write() as s:
        ended = await service.do_end_deal_as_host(s, user, deal_id)
        out = service.deal_out(ended or await service.access_deal(s, deal_id))
    if ended is not None:
        await end_in_stock(rt, [deal_id])
        await notify_deal_ended(rt.bus, out.show_id, deal_id, "ended")
    return out
