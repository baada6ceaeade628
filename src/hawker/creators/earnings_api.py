"""Earnings JSON API: balances, statements and payouts for hosts and MCNs; rosters; leaderboards."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.core.idempotency import IDEMPOTENCY, keyed, respond
from hawker.core.money import format_money
from hawker.creators import earnings, leaderboards, ledger
from hawker.creators.schemas import (
    EarningsOut,
    LeaderboardOut,
    LeaderEntryOut,
    PayoutIn,
    PayoutOut,
    Role,
    RosterIn,
    StatementLineOut,
    StatementOut,
)
from hawker.infra.bus import BusEvent
from hawker.infra.runtime import Runtime
from hawker.infra.sse import bus_stream

router = APIRouter(prefix="/api", tags=["creators"])


@router.get("/earnings")
async def my_earnings(
    role: Role = "host", user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> EarningsOut:
    async with rt.db.read() as s:
        e = await earnings.earnings(s, user, role)
    return EarningsOut(
        role=role,
        balances=e.balances,
        min_payout=rt.settings.min_payout,
        payouts=[PayoutOut(**earnings.payout_out(p)) for p in e.payouts],
    )


@router.get("/earnings/statement")
async def statement(
    currency: str = Query(pattern=r"^[A-Z]{3}$"),
    month: str = Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (UTC)"),
    role: Role = "host",
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> StatementOut:
    start, end = ledger.month_bounds(month)
    account = earnings.check_earner(user, role)
    async with rt.db.read() as s:
        st = await ledger.statement(s, account, currency, start, end)
    return StatementOut(
        role=role,
        currency=currency,
        start=start,
        end=end,
        opening=st.opening,
        closing=st.closing,
        lines=[StatementLineOut(**vars(line)) for line in st.lines],
    )


@router.post("/earnings/payouts", status_code=201, response_model=PayoutOut)
async def pay_out(
    body: PayoutIn,
    request: Request,
    user: User = Depends(current_user),
    key: str | None = IDEMPOTENCY,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    k = keyed(request, user.id, key, body.model_dump_json())
    return respond(
        *await earnings.pay_out(
            rt, user, body.role, body.currency, body.amount, k, request.url.path
        )
    )


@router.get("/leaderboards/{which}")
async def leaderboard(
    which: leaderboards.Board,
    period: leaderboards.Period = "today",
    currency: str = Query(default="USD", pattern=r"^[A-Z]{3}$"),
    rt: Runtime = Depends(runtime),
) -> LeaderboardOut:
    """Public: hosts or merchants by net GMV (today, this week, this month), or rising hosts
    (last 7 days against the 7 before; ``period`` is ignored)."""
    async with rt.db.read() as s:
        entries = await leaderboards.board(s, which, period, currency)
    return LeaderboardOut(
        board=which,
        period=period,
        currency=currency,
        entries=[
            LeaderEntryOut(**vars(e), gmv_display=format_money(e.gmv, currency)) for e in entries
        ],
    )


@router.get("/leaderboards-stream")
async def leaderboard_stream(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    """Server-sent events: ``changed`` whenever sales move a leaderboard (on any node)."""

    async def changed(_: BusEvent) -> str:
        return "{}"

    return bus_stream(request, rt.bus, leaderboards.CHANNEL, "changed", changed)


@router.put("/hosts/{host_id}/mcn")
async def set_roster(
    host_id: int, body: RosterIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> dict[str, int | None]:
    """Operators place a host on an MCN's roster directly (the invite flow comes later)."""
    async with rt.db.write() as s:
        row = await earnings.do_set_roster(s, user, host_id, body.mcn_id, body.share_bps)
    return {
        "host_id": host_id,
        "mcn_id": row.mcn_id if row else None,
        "share_bps": row.share_bps if row else 0,
    }
