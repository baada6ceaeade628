"""MCN API: invitations (the MCN sends, the host answers), the roster and leaving it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.creators import earnings, mcn
from hawker.creators.models import McnInvite
from hawker.creators.schemas import InviteIn, InviteOut, RosterIn, RosterLineOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["creators"])


def _out(invite: McnInvite, name: str) -> InviteOut:
    return InviteOut(
        id=invite.id,
        mcn_id=invite.mcn_id,
        host_id=invite.host_id,
        name=name,
        share_bps=invite.share_bps,
        status=invite.status,
        created_at=invite.created_at,
    )


@router.post("/mcn/invites", status_code=201)
async def invite(
    body: InviteIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> InviteOut:
    mcn.check_mcn(user)
    async with rt.db.write() as s:
        host = await mcn.access_host_by_email(s, body.host_email)
        return _out(await mcn.do_invite(s, user, host, body.share_bps), host.display_name)


@router.get("/mcn/invites")
async def sent(
    user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> list[InviteOut]:
    async with rt.db.read() as s:
        return [_out(i, name) for i, name in await mcn.invites_sent(s, user)]


@router.get("/me/mcn-invites")
async def received(
    user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> list[InviteOut]:
    """Invitations waiting for this host's answer."""
    async with rt.db.read() as s:
        return [_out(i, name) for i, name in await mcn.invites_for_host(s, user)]


@router.post("/me/mcn-invites/{invite_id}/{answer}")
async def answer(
    invite_id: int,
    answer: mcn.Answer,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> InviteOut:
    async with rt.db.write() as s:
        decided = await mcn.do_answer(s, user, invite_id, accept=answer == "accept")
        agency = await s.get(User, decided.mcn_id)
        return _out(decided, agency.display_name if agency else "")


@router.get("/mcn/roster")
async def roster(
    user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> list[RosterLineOut]:
    async with rt.db.read() as s:
        return [RosterLineOut(**vars(line)) for line in await mcn.roster(s, user)]


@router.delete("/mcn/roster/{host_id}", status_code=204)
async def leave(
    host_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> None:
    """The host leaves (their own id) or the MCN lets a host go."""
    async with rt.db.write() as s:
        await mcn.do_leave(s, user, host_id)


@router.put("/hosts/{host_id}/mcn")
async def set_roster(
    host_id: int, body: RosterIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> dict[str, int | None]:
    """Operators place a host on an MCN's roster directly, or take them off (no invitation)."""
    async with rt.db.write() as s:
        row = await earnings.do_set_roster(s, user, host_id, body.mcn_id, body.share_bps)
    return {
        "host_id": host_id,
        "mcn_id": row.mcn_id if row else None,
        "share_bps": row.share_bps if row else 0,
    }
