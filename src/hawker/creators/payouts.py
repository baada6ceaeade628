"""Payouts: moving what a host or MCN has earned out through the payment provider.

Three steps, so that money is never sent without being taken from the balance first nor lost
if a node dies midway: (1) a write takes the amount from the earner's balance into
``payouts:in_transit`` (never below zero) and records a pending payout; (2) the provider is
asked outside any transaction, under the payout's own idempotency key; (3) a write settles it:
paid moves it on to ``payouts:paid``, refused gives it back. A payout left pending by a crash is
retried by the sweep with the same key, so the provider pays it at most once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core.clock import utcnow
from hawker.core.money import format_money
from hawker.creators.errors import PayoutBelowMinimum
from hawker.creators.ledger import IN_TRANSIT, PAID_OUT, Leg, balance, do_post
from hawker.creators.models import Payout
from hawker.infra.payments import PaymentProvider


async def do_request_payout(
    s: AsyncSession,
    user_id: int,
    account: str,
    currency: str,
    amount: int | None,
    minimum: int,
) -> Payout:
    """Step 1: take ``amount`` (default: the whole balance) into transit."""
    if amount is None:
        amount = await balance(s, account, currency)
    if amount < minimum:
        raise PayoutBelowMinimum(
            f"Payouts start at {format_money(minimum, currency)}; "
            f"this one is {format_money(amount, currency)}",
            minimum=minimum,
        )
    payout = Payout(account=account, user_id=user_id, currency=currency, amount=amount)
    s.add(payout)
    await s.flush()
    await do_post(
        s,
        "payout",
        [Leg(account, currency, -amount), Leg(IN_TRANSIT, currency, amount)],
        payout_id=payout.id,
        no_overdraft=frozenset({account}),
    )
    return payout


def provider_key(payout: Payout) -> str:
    return f"payout-{payout.id}"


async def send(provider: PaymentProvider, payout: Payout) -> tuple[bool, str]:
    """Step 2, outside any transaction: (paid?, provider reference or refusal reason)."""
    try:
        result = await provider.payout(
            recipient=payout.account,
            amount=payout.amount,
            currency=payout.currency,
            idempotency_key=provider_key(payout),
        )
    except ValueError as e:
        return False, str(e)[:40]
    return result.status == "paid_out", result.id if result.status == "paid_out" else result.reason


async def do_settle_payout(s: AsyncSession, payout_id: int, paid: bool, ref: str) -> Payout:
    """Step 3, once: a payout already settled is left as it is."""
    payout = await s.get(Payout, payout_id, with_for_update=True, populate_existing=True)
    assert payout is not None
    if payout.status != "pending":
        return payout
    legs = (
        [
            Leg(IN_TRANSIT, payout.currency, -payout.amount),
            Leg(PAID_OUT, payout.currency, payout.amount),
        ]
        if paid
        else [
            Leg(IN_TRANSIT, payout.currency, -payout.amount),
            Leg(payout.account, payout.currency, payout.amount),
        ]
    )
    await do_post(s, "payout_paid" if paid else "payout_failed", legs, payout_id=payout.id)
    payout.status = "paid" if paid else "failed"
    payout.provider_ref = ref
    payout.settled_at = utcnow()
    await s.flush()
    return payout


async def stuck_payouts(s: AsyncSession, older_than_s: float = 60) -> list[int]:
    """Pending payouts a crash may have left between steps 1 and 3."""
    cutoff = utcnow() - timedelta(seconds=older_than_s)
    rows = await s.scalars(
        select(Payout.id).where(Payout.status == "pending", Payout.created_at < cutoff).limit(100)
    )
    return list(rows)
