"""The double-entry ledger: postings, balances and statements.

Accounts are named strings: ``host:{id}`` and ``mcn:{id}`` (what the platform owes them),
``platform:commission`` (the platform's commission expense), ``platform:creator_fund`` (what
the creator fund has paid hosts), ``payouts:in_transit`` (sent to the provider, not yet
confirmed) and ``payouts:paid``. Every posting sums to zero per currency, so the sum of all
balances is always zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core.clock import utcnow
from hawker.core.errors import Invalid
from hawker.core.money import format_money
from hawker.creators.errors import InsufficientBalance
from hawker.creators.models import LedgerBalance, LedgerEntry, LedgerTransaction

PLATFORM = "platform:commission"
FUND = "platform:creator_fund"
IN_TRANSIT = "payouts:in_transit"
PAID_OUT = "payouts:paid"


def host_account(user_id: int) -> str:
    return f"host:{user_id}"


def mcn_account(user_id: int) -> str:
    return f"mcn:{user_id}"


@dataclass(frozen=True)
class Leg:
    account: str
    currency: str
    amount: int  # signed minor units; zero legs are dropped


async def do_post(
    s: AsyncSession,
    kind: str,
    legs: list[Leg],
    *,
    order_id: int | None = None,
    payout_id: int | None = None,
    fund_period_id: int | None = None,
    memo: str = "",
    no_overdraft: frozenset[str] = frozenset(),
) -> LedgerTransaction | None:
    """Append one balanced transaction and move the balances with it. An account named in
    ``no_overdraft`` is debited only if its balance covers the debit (else InsufficientBalance
    and nothing is written). None when every leg is zero."""
    legs = [leg for leg in legs if leg.amount != 0]
    totals: dict[str, int] = defaultdict(int)
    for leg in legs:
        totals[leg.currency] += leg.amount
    if any(totals.values()):
        raise ValueError(f"unbalanced {kind} posting: {dict(totals)}")
    if not legs:
        return None
    now = utcnow()
    for leg in legs:
        await _move(s, leg, guarded=leg.account in no_overdraft and leg.amount < 0)
    txn = LedgerTransaction(
        kind=kind,
        order_id=order_id,
        payout_id=payout_id,
        fund_period_id=fund_period_id,
        memo=memo,
        created_at=now,
    )
    s.add(txn)
    await s.flush()
    await s.execute(
        insert(LedgerEntry),
        [
            {
                "transaction_id": txn.id,
                "account": leg.account,
                "currency": leg.currency,
                "amount": leg.amount,
                "created_at": now,
            }
            for leg in legs
        ],
    )
    return txn


async def _move(s: AsyncSession, leg: Leg, *, guarded: bool) -> None:
    """Add ``leg.amount`` to the balance row (made on first use). Guarded: only if the balance
    stays at or above zero, decided by the database in one conditional UPDATE."""
    where = [LedgerBalance.account == leg.account, LedgerBalance.currency == leg.currency]
    if guarded:
        where.append(LedgerBalance.balance >= -leg.amount)
    stmt = (
        update(LedgerBalance)
        .where(*where)
        .values(balance=LedgerBalance.balance + leg.amount)
        .returning(LedgerBalance.balance)
    )
    if (await s.execute(stmt)).first() is not None:
        return
    if guarded:
        have = await balance(s, leg.account, leg.currency)
        raise InsufficientBalance(
            f"The balance is {format_money(have, leg.currency)}; "
            f"{format_money(-leg.amount, leg.currency)} is more than that",
            available=have,
        )
    try:
        async with s.begin_nested():
            s.add(LedgerBalance(account=leg.account, currency=leg.currency, balance=leg.amount))
    except IntegrityError:  # made meanwhile by a concurrent posting: add to it instead
        await s.execute(stmt)


async def balance(s: AsyncSession, account: str, currency: str) -> int:
    row = await s.get(LedgerBalance, (account, currency), populate_existing=True)
    return row.balance if row is not None else 0


async def balances(s: AsyncSession, account: str) -> dict[str, int]:
    rows = await s.execute(
        select(LedgerBalance.currency, LedgerBalance.balance).where(
            LedgerBalance.account == account
        )
    )
    return {currency: amount for currency, amount in rows}


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    kind: str
    order_id: int | None
    payout_id: int | None
    fund_period_id: int | None
    amount: int


@dataclass(frozen=True)
class Statement:
    account: str
    currency: str
    start: datetime
    end: datetime
    opening: int
    lines: list[StatementLine]

    @property
    def closing(self) -> int:
        return self.opening + sum(line.amount for line in self.lines)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next) of a ``YYYY-MM`` month, UTC."""
    year, mon = int(month[:4]), int(month[5:])
    if not 1 <= mon <= 12 or year < 2000:
        raise Invalid(f"{month} is not a month")
    return datetime(year, mon, 1), datetime(year + mon // 12, mon % 12 + 1, 1)


async def statement(
    s: AsyncSession, account: str, currency: str, start: datetime, end: datetime
) -> Statement:
    """Entries of ``account`` in [start, end), with the balance they start from."""
    mine = (LedgerEntry.account == account, LedgerEntry.currency == currency)
    opening = await s.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            *mine, LedgerEntry.created_at < start
        )
    )
    rows = await s.execute(
        select(
            LedgerEntry.created_at,
            LedgerTransaction.kind,
            LedgerTransaction.order_id,
            LedgerTransaction.payout_id,
            LedgerTransaction.fund_period_id,
            LedgerEntry.amount,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(*mine, LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
        .order_by(LedgerEntry.id)
    )
    lines = [StatementLine(*row) for row in rows]
    return Statement(account, currency, start, end, int(opening or 0), lines)
