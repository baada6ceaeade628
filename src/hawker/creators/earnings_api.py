"""Earnings JSON API: balances, statements and payouts for hosts and MCNs; the operators'
ledger reconciliation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from hawker.accounts.auth import current_user, require_role, runtime
from hawker.accounts.models import User
from hawker.core.idempotency import IDEMPOTENCY, keyed, respond
from hawker.creators import earnings, ledger, reconcile
from hawker.creators.schemas import (
    EarningsOut,
    PayoutIn,
    PayoutOut,
    ReconciliationOut,
    Role,
    StatementLineOut,
    StatementOut,
)
from hawker.infra.runtime import Runtime

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


@router.get("/operator/ledger/reconcile")
async def reconcile_ledger(
    user: User = Depends(require_role("operator")), rt: Runtime = Depends(runtime)
) -> ReconciliationOut:
    """Does the money add up? ``ok`` false names up to 20 offenders per check."""
    async with rt.db.read() as s:
        r = await reconcile.reconcile(s)
    return ReconciliationOut(ok=r.ok, **vars(r))
