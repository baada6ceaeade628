"""Does the money add up? A read-only audit of the commission ledger that any deployment can
run (the demo's test does, after its audience has bought): every posting balances, every
running balance equals its entries, and every order's commission and MCN split are exactly
what its net GMV, frozen rate and share say, and what the ledger holds for it.

An earner below zero is reported but is not an error: a refund after a payout takes back
commission already paid, so the earner owes it, and their next commissions repay it first
(payouts never take more than the balance)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.creators.commissions import BPS
from hawker.creators.ledger import PLATFORM
from hawker.creators.models import CommissionAccrual, LedgerBalance, LedgerEntry, LedgerTransaction

COMMISSION_KINDS = ("commission", "commission_reversal")


@dataclass
class Reconciliation:
    transactions: int = 0
    orders: int = 0
    unbalanced_transactions: list[int] = field(default_factory=list)
    drifted_balances: list[str] = field(default_factory=list)  # "account currency"
    in_debt: list[str] = field(default_factory=list)  # earners owing clawed-back commission
    miscomputed_orders: list[int] = field(default_factory=list)  # split != rate x net
    unposted_orders: list[int] = field(default_factory=list)  # ledger != the order's accrual
    totals: dict[str, int] = field(default_factory=dict)  # per currency: always 0

    @property
    def ok(self) -> bool:
        return not (
            self.unbalanced_transactions
            or self.drifted_balances
            or self.miscomputed_orders
            or self.unposted_orders
            or any(self.totals.values())
        )


async def reconcile(s: AsyncSession, sample: int = 20) -> Reconciliation:
    """Each list names at most ``sample`` offenders."""
    r = Reconciliation()
    r.transactions = int(await s.scalar(select(func.count()).select_from(LedgerTransaction)) or 0)
    r.unbalanced_transactions = list(
        await s.scalars(
            select(LedgerEntry.transaction_id)
            .group_by(LedgerEntry.transaction_id, LedgerEntry.currency)
            .having(func.sum(LedgerEntry.amount) != 0)
            .limit(sample)
        )
    )
    summed = {
        (account, currency): int(total)
        for account, currency, total in await s.execute(
            select(
                LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount)
            ).group_by(LedgerEntry.account, LedgerEntry.currency)
        )
    }
    for b in await s.scalars(select(LedgerBalance)):
        key = (b.account, b.currency)
        if summed.pop(key, 0) != b.balance:
            r.drifted_balances.append(f"{b.account} {b.currency}")
        if b.balance < 0 and not b.account.startswith("platform:"):
            r.in_debt.append(f"{b.account} {b.currency}")
        r.totals[b.currency] = r.totals.get(b.currency, 0) + b.balance
    r.drifted_balances += [f"{a} {c}" for (a, c), total in summed.items() if total]  # no row
    del r.drifted_balances[sample:], r.in_debt[sample:]

    posted = {
        order_id: int(total)
        for order_id, total in await s.execute(
            select(LedgerTransaction.order_id, func.sum(LedgerEntry.amount))
            .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
            .where(LedgerTransaction.kind.in_(COMMISSION_KINDS), LedgerEntry.account == PLATFORM)
            .group_by(LedgerTransaction.order_id)
        )
    }
    for a in await s.scalars(select(CommissionAccrual).order_by(CommissionAccrual.order_id)):
        r.orders += 1
        commission = a.basis * a.rate_bps // BPS
        if (a.commission, a.mcn_share) != (commission, commission * a.share_bps // BPS):
            r.miscomputed_orders.append(a.order_id)
        if -posted.get(a.order_id, 0) != a.commission:
            r.unposted_orders.append(a.order_id)
    del r.miscomputed_orders[sample:], r.unposted_orders[sample:]
    return r
