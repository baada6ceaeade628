"""Earnings over the runtime: paying out, balances, the operator's roster override."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.errors import Forbidden, Invalid, NotFound, problem_body
from hawker.core.idempotency import Keyed, do_remember, find_replay
from hawker.creators import payouts
from hawker.creators.errors import InsufficientBalance, PayoutBelowMinimum
from hawker.creators.ledger import balances, host_account, mcn_account
from hawker.creators.models import McnMembership, Payout
from hawker.infra.payments import PaymentProvider
from hawker.infra.runtime import Runtime

log = logging.getLogger(__name__)
Role = Literal["host", "mcn"]


def provider_of(rt: Runtime) -> PaymentProvider:
    provider: PaymentProvider = rt.services["payments"]
    return provider


def check_earner(user: User, role: Role) -> str:
    """The ledger account ``user`` earns into as ``role``."""
    if not user.has_role(role):
        raise Forbidden(f"only a {role} account has {role} earnings")
    return host_account(user.id) if role == "host" else mcn_account(user.id)


async def pay_out(
    rt: Runtime,
    user: User,
    role: Role,
    currency: str,
    amount: int | None,
    keyed: Keyed,
    path: str,
) -> tuple[int, Any]:
    """The three payout steps, answered once per Idempotency-Key."""
    account = check_earner(user, role)
    try:
        async with rt.db.write() as s:
            replay = await find_replay(s, keyed)
            if replay is not None:
                if replay.status_code != 201:
                    return replay.status_code, replay.response
                payout = await s.get(Payout, replay.response["payout_id"])
                assert payout is not None
                return 201, payout_out(payout)
            payout = await payouts.do_request_payout(
                s, user.id, account, currency, amount, rt.settings.min_payout
            )
            await do_remember(s, keyed, 201, {"payout_id": payout.id})
    except (InsufficientBalance, PayoutBelowMinimum) as e:
        # remembered like a success: a retry of a refused payout is refused the same way
        body = problem_body(e, path)
        async with rt.db.write() as s:
            if (replay := await find_replay(s, keyed)) is not None:
                return replay.status_code, replay.response
            await do_remember(s, keyed, e.status, body)
        return e.status, body
    return 201, payout_out(await _send_and_settle(rt, payout))


async def _send_and_settle(rt: Runtime, payout: Payout) -> Payout:
    paid, ref = await payouts.send(provider_of(rt), payout)
    async with rt.db.write() as s:
        return await payouts.do_settle_payout(s, payout.id, paid, ref)


async def retry_stuck_payouts(rt: Runtime) -> int:
    async with rt.db.read() as s:
        stuck = await payouts.stuck_payouts(s)
        rows = [await s.get(Payout, payout_id) for payout_id in stuck]
    for payout in rows:
        if payout is not None:
            log.warning("payout %s was left pending; sending it again", payout.id)
            await _send_and_settle(rt, payout)
    return len(stuck)


def payout_out(p: Payout) -> dict[str, Any]:
    return {
        "id": p.id,
        "amount": p.amount,
        "currency": p.currency,
        "status": p.status,
        "provider_ref": p.provider_ref,
        "created_at": p.created_at.isoformat(),
    }


@dataclass(frozen=True)
class Earnings:
    role: Role
    account: str
    balances: dict[str, int]
    payouts: list[Payout]


async def earnings(s: AsyncSession, user: User, role: Role) -> Earnings:
    account = check_earner(user, role)
    recent = await s.scalars(
        select(Payout).where(Payout.account == account).order_by(Payout.id.desc()).limit(20)
    )
    return Earnings(role, account, await balances(s, account), list(recent))


async def do_set_roster(
    s: AsyncSession, operator: User, host_id: int, mcn_id: int | None, share_bps: int
) -> McnMembership | None:
    """Put a host on an MCN's roster (or take them off with ``mcn_id`` None). Orders settled
    from now on split with the new MCN; earlier orders keep their split."""
    if not operator.has_role("operator"):
        raise Forbidden("only operators set rosters directly")
    host = await s.get(User, host_id)
    if host is None or "host" not in host.roles:
        raise NotFound(f"no host {host_id}")
    row = await s.get(McnMembership, host_id, with_for_update=True)
    if mcn_id is None:
        if row is not None:
            await s.delete(row)
        return None
    mcn = await s.get(User, mcn_id)
    if mcn is None or "mcn" not in mcn.roles:
        raise Invalid(f"user {mcn_id} is not an MCN")
    if row is None:
        row = McnMembership(host_id=host_id, mcn_id=mcn_id, share_bps=share_bps)
        s.add(row)
    else:
        row.mcn_id, row.share_bps = mcn_id, share_bps
    await s.flush()
    return row
