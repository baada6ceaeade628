"""Host profile routes: anyone reads a host's public profile; hosts edit their own."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts.auth import optional_user, require_role, runtime
from hawker.accounts.models import User
from hawker.creators import profiles, service
from hawker.creators.schemas import HostDetailOut, HostProfileIn
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["creators"])


@router.get("/hosts/{host_id}")
async def host_profile(
    host_id: int, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> HostDetailOut:
    """Name, avatar, bio, categories, followers, tier, the live show now and upcoming ones."""
    async with rt.db.read() as s:
        return await profiles.host_detail(s, await service.access_host(s, host_id), user)


@router.put("/me/host-profile")
async def save_host_profile(
    body: HostProfileIn, user: User = Depends(require_role("host")), rt: Runtime = Depends(runtime)
) -> HostDetailOut:
    """Replaces the caller's bio and categories (name and avatar: ``PATCH /api/me``)."""
    async with rt.db.write() as s:
        await profiles.do_save_profile(s, user, body.bio, body.category_ids)
        return await profiles.host_detail(s, user, user)
