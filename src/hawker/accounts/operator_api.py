"""Operator console API: find accounts, grant and revoke roles, read the audit log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query

from hawker.accounts import audit, service
from hawker.accounts.api import user_out
from hawker.accounts.auth import credential_cache, require_role, runtime
from hawker.accounts.models import User
from hawker.accounts.schemas import AuditOut, RolesIn, UserOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api/operator", tags=["operator"])
operator_user = require_role("operator")
MAX_ID = 2**63 - 1


@router.get("/users")
async def search_users(
    q: str = Query(min_length=1, max_length=100),
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> list[UserOut]:
    async with rt.db.read() as s:
        return [user_out(u) for u in await service.search_users(s, q)]


@router.put("/users/{user_id}/roles")
async def set_roles(
    user_id: int,
    body: RolesIn,
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> UserOut:
    """The account's whole set of roles (shopper is always kept). Other nodes see the change
    within the credential cache's 30 s."""
    async with rt.db.write() as s:
        out = user_out(await service.do_set_roles(s, user, user_id, body.roles))
    credential_cache(rt).clear()
    return out


@router.get("/audit")
async def audit_log(
    actor_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    action: str | None = Query(default=None, max_length=60),
    target_type: str | None = Query(default=None, max_length=30),
    target_id: str | None = Query(default=None, max_length=40),
    since: datetime | None = None,
    before_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    limit: int = Query(default=50, ge=1, le=200),
    user: User = Depends(operator_user),
    rt: Runtime = Depends(runtime),
) -> list[AuditOut]:
    """Newest first; ``action`` is a prefix ("user." for every account action)."""
    async with rt.db.read() as s:
        rows = await audit.list_audit(
            s,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            since=since,
            before_id=before_id,
            limit=limit,
        )
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            actor_id=e.actor_id,
            actor=name,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            before=e.before,
            after=e.after,
        )
        for e, name in rows
    ]
