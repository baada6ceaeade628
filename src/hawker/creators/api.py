"""Creators routes: a host's public profile, follow and unfollow."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts.auth import current_user, optional_user, runtime
from hawker.accounts.models import User
from hawker.creators import service
from hawker.creators.schemas import HostProfileOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api/hosts", tags=["creators"])


@router.get("/{host_id}")
async def host_profile(
    host_id: int, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> HostProfileOut:
    async with rt.db.read() as s:
        return await service.host_profile(s, await service.access_host(s, host_id), user)


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
