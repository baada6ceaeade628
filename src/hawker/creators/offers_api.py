"""Commission offers API: merchants offer commissions; hosts browse the marketplace."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts.auth import current_user, require_role, runtime
from hawker.accounts.models import User
from hawker.creators import offers
from hawker.creators.schemas import MarketItemOut, OfferIn, OfferOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["creators"])


@router.post("/offers", status_code=201)
async def create_offer(
    body: OfferIn, user: User = Depends(require_role("merchant")), rt: Runtime = Depends(runtime)
) -> OfferOut:
    async with rt.db.write() as s:
        return OfferOut.model_validate(await offers.do_create_offer(s, user, body.model_dump()))


@router.delete("/offers/{offer_id}")
async def retire_offer(
    offer_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> OfferOut:
    """Stops the offer for orders settled from now on; settled orders keep their rate."""
    async with rt.db.write() as s:
        return OfferOut.model_validate(await offers.do_retire_offer(s, user, offer_id))


@router.get("/marketplace")
async def marketplace(
    user: User = Depends(require_role("host")), rt: Runtime = Depends(runtime)
) -> list[MarketItemOut]:
    """Offered products this host may sell, best commission first."""
    async with rt.db.read() as s:
        return [MarketItemOut(**vars(i)) for i in await offers.marketplace(s, user)]
