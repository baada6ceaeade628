"""Creator fund API (operators only): set a pool for a period, list periods, see one period's
payouts, and pay out ended periods now rather than at the next hourly run."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.core.clock import naive_utc, utcnow
from hawker.core.idempotency import IDEMPOTENCY, do_remember, find_replay, keyed, respond
from hawker.creators import fund
from hawker.creators.fund_models import FundPeriod
from hawker.creators.schemas import FundPeriodIn, FundPeriodOut, FundShareOut, FundStatus
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api/creator-fund", tags=["creators"])
operator_user = require_role("operator")


def status_of(p: FundPeriod, now: datetime) -> FundStatus:
    if p.settled_at is not None:
        return "settled"
    return "upcoming" if now < p.starts_at else "running" if now < p.ends_at else "ended"


async def period_out(s: AsyncSession | None, p: FundPeriod) -> FundPeriodOut:
    """One period; with a session, its shares too."""
    shares = None
    if s is not None:
        shares = [
            FundShareOut(
                host_id=share.host_id,
                host=name,
                qualified_ms=share.qualified_ms,
                views=share.views,
                amount=share.amount,
            )
            for share, name in await fund.shares(s, p.id)
        ]
    return FundPeriodOut(
        id=p.id,
        currency=p.currency,
        pool=p.pool,
        starts_at=p.starts_at,
        ends_at=p.ends_at,
        status=status_of(p, utcnow()),
        settled_at=p.settled_at,
        paid=p.paid,
        qualified_ms=p.qualified_ms,
        shares=shares,
    )


@router.post("/periods", status_code=201, response_model=FundPeriodOut)
async def create_period(
    body: FundPeriodIn,
    request: Request,
    user: User = Depends(operator_user),
    key: str | None = IDEMPOTENCY,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    """A pool for a period of one currency (periods of a currency never overlap)."""
    k = keyed(request, user.id, key, body.model_dump_json())
    async with rt.db.write() as s:
        await fund.lock_periods(s)  # before the replay check: a concurrent twin waits here
        if (replay := await find_replay(s, k)) is not None:
            return respond(replay.status_code, replay.response)
        p = await fund.do_create_period(
            s, user, body.currency, body.pool, naive_utc(body.starts_at), naive_utc(body.ends_at)
        )
        out = (await period_out(s, p)).model_dump(mode="json")
        await do_remember(s, k, 201, out)
    return respond(201, out)


@router.get("/periods")
async def periods(
    user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> list[FundPeriodOut]:
    """Latest first, without shares."""
    async with rt.db.read() as s:
        return [await period_out(None, p) for p in await fund.list_periods(s)]


@router.get("/periods/{period_id}")
async def period(
    period_id: int, user: User = Depends(operator_user), rt: Runtime = Depends(runtime)
) -> FundPeriodOut:
    """One period with each host's qualified watch time, views and payout once settled."""
    async with rt.db.read() as s:
        return await period_out(s, await fund.access_period(s, period_id))


@router.post("/settle")
async def settle(user: User = Depends(operator_user), rt: Runtime = Depends(runtime)) -> list[int]:
    """Pay out ended periods now (safe to repeat: a settled period is never paid twice)."""
    return await fund.settle_due(rt)
