"""Commissions: paid orders accrue to their host (and the host's MCN); refunds reverse them.

Rounding rule (integer minor units, never floats): for an order whose net GMV is ``net`` (its
total less what has been refunded, 0 unless it was paid),

    commission = floor(net * rate_bps / 10_000)
    mcn_share  = floor(commission * share_bps / 10_000)      (0 for a host in no MCN)
    host_share = commission - mcn_share

Settling an order posts the difference between this split and what the ledger already holds
for it, so a partial refund reverses its part pro rata, a full refund reverses everything to
the minor unit, and settling twice posts nothing. The rate and share are frozen at the first
settlement: a later change of rate or roster does not rewrite an old order.

Orders are settled by a sweep rather than on a bus event: a node dying between an order's
commit and its event would lose the accrual, the sweep converges whatever happened.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core.clock import utcnow
from hawker.creators.ledger import PLATFORM, Leg, do_post, host_account, mcn_account
from hawker.creators.models import CommissionAccrual, McnMembership
from hawker.orders.models import Order

BPS = 10_000


def split(net: int, rate_bps: int, share_bps: int) -> tuple[int, int]:
    """(host_share, mcn_share) of the commission on ``net`` minor units."""
    commission = net * rate_bps // BPS
    mcn = commission * share_bps // BPS
    return commission - mcn, mcn


def net_gmv(order: Order) -> int:
    return order.total - order.refunded_amount if order.paid_at is not None else 0


async def orders_to_settle(s: AsyncSession, limit: int = 500) -> list[int]:
    """Paid orders with a host whose net GMV differs from what the ledger accounted for."""
    rows = await s.scalars(
        select(Order.id)
        .outerjoin(CommissionAccrual, CommissionAccrual.order_id == Order.id)
        .where(
            Order.host_id.is_not(None),
            Order.paid_at.is_not(None),
            (CommissionAccrual.order_id.is_(None))
            | (CommissionAccrual.basis != Order.total - Order.refunded_amount),
        )
        .order_by(Order.id)
        .limit(limit)
    )
    return list(rows)


async def do_settle_order(s: AsyncSession, order_id: int, default_rate_bps: int) -> bool:
    """Bring the ledger in line with the order's net GMV. True when something was posted."""
    order = await s.get(Order, order_id, populate_existing=True)
    if order is None or order.host_id is None:
        return False
    net = net_gmv(order)
    accrual = await s.get(CommissionAccrual, order_id, with_for_update=True)
    if accrual is None:
        if net == 0:
            return False
        accrual = await _open_accrual(s, order, default_rate_bps)
        if accrual is None:
            return False  # a concurrent settlement opened it; the next sweep continues
    if accrual.basis == net:
        return False
    host, mcn = split(net, accrual.rate_bps, accrual.share_bps)
    d_host = host - (accrual.commission - accrual.mcn_share)
    d_mcn = mcn - accrual.mcn_share
    legs = [
        Leg(PLATFORM, order.currency, -(d_host + d_mcn)),
        Leg(host_account(accrual.host_id), order.currency, d_host),
    ]
    if accrual.mcn_id is not None:
        legs.append(Leg(mcn_account(accrual.mcn_id), order.currency, d_mcn))
    reversal = net < accrual.basis
    await do_post(
        s,
        "commission_reversal" if reversal else "commission",
        legs,
        order_id=order.id,
        memo=f"order {order.id}: net {net} at {accrual.rate_bps} bps",
    )
    accrual.basis, accrual.commission, accrual.mcn_share = net, host + mcn, mcn
    accrual.updated_at = utcnow()
    await s.flush()
    return True


async def _open_accrual(
    s: AsyncSession, order: Order, default_rate_bps: int
) -> CommissionAccrual | None:
    assert order.host_id is not None
    roster = await s.get(McnMembership, order.host_id)
    accrual = CommissionAccrual(
        order_id=order.id,
        host_id=order.host_id,
        mcn_id=roster.mcn_id if roster else None,
        currency=order.currency,
        rate_bps=default_rate_bps,
        share_bps=roster.share_bps if roster else 0,
    )
    try:
        async with s.begin_nested():
            s.add(accrual)
    except IntegrityError:
        return None
    return accrual
