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

Orders tell the ledger through the outbox (``order.money`` events written in the same
transaction as a payment or refund, see core/outbox.py), not the room bus: a node dying between
an order's commit and a bus event would lose the accrual. Each event carries the order's net
GMV after the change, so applying events is convergent: the ledger follows the latest one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.core import outbox
from hawker.core.clock import utcnow
from hawker.creators import offers
from hawker.creators.ledger import PLATFORM, Leg, do_post, host_account, mcn_account
from hawker.creators.models import CommissionAccrual, McnMembership

BPS = 10_000


def split(net: int, rate_bps: int, share_bps: int) -> tuple[int, int]:
    """(host_share, mcn_share) of the commission on ``net`` minor units."""
    commission = net * rate_bps // BPS
    mcn = commission * share_bps // BPS
    return commission - mcn, mcn


CONSUMER = outbox.consumer("creators.commissions", ("order.money",))


async def do_apply_order_money(
    s: AsyncSession, event_id: int, data: dict[str, Any], default_rate_bps: int
) -> bool:
    """Bring the ledger in line with an ``order.money`` event. True when something was
    posted. An event older than one already applied for the order is ignored."""
    host_id, order_id, net = data.get("host_id"), int(data["order_id"]), int(data["net"])
    if host_id is None:
        return False  # no host sold it: no commission
    accrual = await s.get(CommissionAccrual, order_id, with_for_update=True)
    if accrual is None:
        if net == 0:
            return False
        accrual = await _open_accrual(
            s, order_id, int(host_id), data["currency"], default_rate_bps, data.get("lines", [])
        )
    if event_id < accrual.last_event_id or accrual.basis == net:
        accrual.last_event_id = max(accrual.last_event_id, event_id)
        return False
    host, mcn = split(net, accrual.rate_bps, accrual.share_bps)
    d_host = host - (accrual.commission - accrual.mcn_share)
    d_mcn = mcn - accrual.mcn_share
    currency = accrual.currency
    legs = [
        Leg(PLATFORM, currency, -(d_host + d_mcn)),
        Leg(host_account(accrual.host_id), currency, d_host),
    ]
    if accrual.mcn_id is not None:
        legs.append(Leg(mcn_account(accrual.mcn_id), currency, d_mcn))
    await do_post(
        s,
        "commission_reversal" if net < accrual.basis else "commission",
        legs,
        order_id=order_id,
        memo=f"order {order_id}: net {net} at {accrual.rate_bps} bps",
    )
    accrual.basis, accrual.commission, accrual.mcn_share = net, host + mcn, mcn
    accrual.last_event_id, accrual.updated_at = event_id, utcnow()
    await s.flush()
    return True


async def _open_accrual(
    s: AsyncSession,
    order_id: int,
    host_id: int,
    currency: str,
    default_rate_bps: int,
    lines: list[dict[str, int]],
) -> CommissionAccrual:
    """The order's first settlement freezes its rate (offers, else the host's tier's, else the
    default: see creators.offers) and its MCN split."""
    roster = await s.get(McnMembership, host_id)
    accrual = CommissionAccrual(
        order_id=order_id,
        host_id=host_id,
        mcn_id=roster.mcn_id if roster else None,
        currency=currency,
        rate_bps=await offers.order_rate(s, host_id, lines, default_rate_bps),
        share_bps=roster.share_bps if roster else 0,
        last_event_id=0,
    )
    s.add(accrual)
    await s.flush()
    return accrual
