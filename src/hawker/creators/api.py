"""Creators routes: follow and unfollow a host (the answer is the follow summary)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.creators import service
from hawker.creators.schemas import HostProfileOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api/hosts", tags=["creators"])


@router.post("/{host_id}/follow")
async def follow(
    host_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> HostProfileOut:
    async with rt.db.write() as s:
        host = await service.do_follow(s, user, host_id)
        return await service.host_profile(s, host, user)


@router.delete("/{host_id}/follow")
async def unfollow(
    host_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> HostProfileOut:
    async with rt.db.write() as s:
        host = await service.do_unfollow(s, user, host_id)
        return await service.host_profile(s, host, user)
