"""Host tiers API: public tier list, operators define tiers and recompute, a host's tier."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts.auth import current_user, optional_user, runtime
from hawker.accounts.models import User
from hawker.creators import service, tiers
from hawker.creators.schemas import (
    HostTierOut,
    TierChangeOut,
    TierIn,
    TierMoveOut,
    TierOut,
    TierPatch,
)
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["creators"])


@router.get("/tiers")
async def list_tiers(rt: Runtime = Depends(runtime)) -> list[TierOut]:
    """Public: hosts see what each tier asks and gives."""
    async with rt.db.read() as s:
        return [TierOut.model_validate(t) for t in await tiers.list_tiers(s)]


@router.post("/tiers", status_code=201)
async def create_tier(
    body: TierIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> TierOut:
    async with rt.db.write() as s:
        return TierOut.model_validate(await tiers.do_save_tier(s, user, body.model_dump()))


@router.patch("/tiers/{tier_id}")
async def change_tier(
    tier_id: int,
    body: TierPatch,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> TierOut:
    """Change or retire (``active: false``) a tier; hosts move at the next recompute."""
    values = body.model_dump(exclude_unset=True, exclude_none=True)
    async with rt.db.write() as s:
        return TierOut.model_validate(await tiers.do_save_tier(s, user, values, tier_id))


@router.post("/tiers/recompute")
async def recompute(
    user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> list[TierMoveOut]:
    """Place every host now rather than at the next scheduled run."""
    tiers.check_operator(user)
    async with rt.db.write() as s:
        return [TierMoveOut(**vars(m)) for m in await tiers.do_recompute(s)]


@router.get("/hosts/{host_id}/tier")
async def host_tier(
    host_id: int, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> HostTierOut:
    async with rt.db.read() as s:
        host = await service.access_host(s, host_id)
        tier = await tiers.tier_of(s, host.id)
        own = user is not None and (user.id == host.id or user.has_role("operator"))
        changes = await tiers.history(s, host.id) if own else None
    return HostTierOut(
        host_id=host.id,
        tier=TierOut.model_validate(tier) if tier else None,
        history=[TierChangeOut.model_validate(c) for c in changes] if changes is not None else None,
    )
