"""Paying, refunding and payment webhooks: the steps that talk to the payment provider.

The provider is called outside any database write, and every outcome is recorded with the
request's Idempotency-Key, so a retry can neither charge twice nor lose a payment. If money is
captured but the order can no longer be paid (its reservation expired meanwhile), the capture is
refunded and the order closed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.errors import HawkerError, problem_body
from hawker.core.idempotency import Keyed, do_remember, find_replay
from hawker.deals.errors import ReservationExpired, ReservationNotHeld
from hawker.deals.stock_units import stock_write
from hawker.infra.payments import PaymentProvider, PaymentResult, RefundTooLarge, verify
from hawker.infra.runtime import Runtime
from hawker.orders import service
from hawker.orders.errors import (
    BadSignature,
    IllegalTransition,
    PaymentDeclined,
    RefundExceedsPaid,
)
from hawker.orders.models import Order, PaymentEvent
from hawker.orders.states import REFUNDABLE, check_transition

log = logging.getLogger(__name__)
Outcome = tuple[int, Any]


def provider_of(rt: Runtime) -> PaymentProvider:
    provider: PaymentProvider = rt.services["payments"]
    return provider


async def _remember_failure(rt: Runtime, keyed: Keyed, exc: HawkerError, path: str) -> Outcome:
    body = problem_body(exc, path)
    async with rt.db.write() as s:
        replay = await find_replay(s, keyed)
        if replay is not None:
            return replay.status_code, replay.response
        await do_remember(s, keyed, exc.status, body)
    return exc.status, body


async def pay(
    rt: Runtime, user: User, order_id: int, card: str, keyed: Keyed, path: str
) -> tuple[Outcome, Order | None]:
    async with rt.db.read() as s:
        replay = await find_replay(s, keyed)
        if replay is not None:
            return (replay.status_code, replay.response), None
        order = await service.access_order_as_buyer(s, user, order_id)
        check_transition(order.id, order.status, "paid")
    if order.expires_at <= utcnow():  # don't charge for stock that is no longer held
        await _close_if_pending(rt, order_id)
        expired = ReservationExpired("the reservation expired; the stock went back on sale")
        return await _remember_failure(rt, keyed, expired, path), None
    card_tag = hashlib.sha256(card.replace(" ", "").encode()).hexdigest()[:16]
    result = await provider_of(rt).charge(
        order_ref=f"order-{order.id}",
        amount=order.total,
        currency=order.currency,
        card=card,
        idempotency_key=f"order-{order.id}-card-{card_tag}",
    )
    if result.status != "captured":
        declined = PaymentDeclined(f"the card was declined ({result.reason}); try another card")
        return await _remember_failure(rt, keyed, declined, path), None
    try:
        async with rt.db.write() as s:
            replay = await find_replay(s, keyed)
            if replay is not None:
                return (replay.status_code, replay.response), None
            order = await service.access_order(s, order_id)
            if order.status == "paid" and order.payment_id == result.id:
                paid = order  # a concurrent request with the same card got there first
            else:
                paid = await service.do_mark_paid(s, order, result.id)
            out = service.order_out(paid).model_dump(mode="json")
            await do_remember(s, keyed, 200, out)
    except (ReservationExpired, ReservationNotHeld, IllegalTransition) as e:
        await _give_back(rt, result)
        await _close_if_pending(rt, order_id)
        return await _remember_failure(rt, keyed, e, path), None
    return (200, out), paid


async def _give_back(rt: Runtime, result: PaymentResult) -> None:
    await provider_of(rt).refund(
        payment_id=result.id, amount=result.amount, idempotency_key=f"giveback-{result.id}"
    )


async def _close_if_pending(rt: Runtime, order_id: int) -> None:
    async with stock_write(rt) as s:
        order = await service.access_order(s, order_id)
        if order.status == "pending":
            await service.do_cancel(s, order, expired=True)


def refund_ref(order_id: int, keyed: Keyed) -> str:
    """The provider's idempotency key for a refund request: one per (order, user, key)."""
    digest = hashlib.sha256(f"{keyed.user_id}:{keyed.key}".encode()).hexdigest()[:32]
    return f"refund-{order_id}-{digest}"


async def refund(
    rt: Runtime, user: User, order_id: int, amount: int | None, keyed: Keyed, path: str
) -> Outcome:
    """Refund ``amount`` (default: all that is left) of a paid order. The provider is asked
    under a reference made from the request's own key, so a retry never refunds twice, and the
    order counts each reference once whether the API or the webhook reports it first."""
    async with rt.db.read() as s:
        replay = await find_replay(s, keyed)
        if replay is not None:
            return replay.status_code, replay.response
        order = await service.access_order_as_merchant(s, user, order_id)
        check_transition(order.id, order.status, "refunded")
    left = order.total - order.refunded_amount
    if amount is not None and amount > left:
        raise RefundExceedsPaid(
            f"order {order.id} has {left} left to refund; {amount} is more", left=left
        )
    assert order.payment_id is not None
    ref = refund_ref(order.id, keyed)
    try:
        result = await provider_of(rt).refund(
            payment_id=order.payment_id, amount=amount or left, idempotency_key=ref
        )
    except RefundTooLarge as e:  # a concurrent refund took what was left
        return await _remember_failure(rt, keyed, RefundExceedsPaid(str(e), left=0), path)
    async with rt.db.write() as s:
        replay = await find_replay(s, keyed)
        if replay is not None:
            return replay.status_code, replay.response
        order = await service.do_apply_refund(s, order_id, ref, result.amount)
        out = service.order_out(order).model_dump(mode="json")
        await do_remember(s, keyed, 200, out)
    return 200, out


async def webhook(rt: Runtime, payload: bytes, signature: str) -> dict[str, Any]:
    """Apply a provider event once. Duplicates are acknowledged and ignored; events may arrive
    in any order (a refund before its capture cancels the order instead of paying it)."""
    if not signature or not verify(payload, signature, rt.settings.secret_key):
        raise BadSignature("the X-Hawker-Signature header does not match the payload")
    try:
        event = json.loads(payload)
        event_id, kind, payment_id = str(event["id"]), str(event["type"]), event["payment_id"]
        order_id = int(str(event["order_ref"]).removeprefix("order-"))
    except (ValueError, KeyError, TypeError) as e:
        raise BadSignature(f"signed but malformed event: {e}") from None
    to_refund: list[PaymentResult] = []
    async with stock_write(rt) as s:
        if await s.get(PaymentEvent, event_id) is not None:
            return {"duplicate": True}
        s.add(
            PaymentEvent(
                id=event_id, type=kind, payment_id=payment_id, order_id=order_id, payload=event
            )
        )
        order = await s.get(Order, order_id)
        if order is not None:
            await _apply(s, order, kind, payment_id, event, to_refund)
    for result in to_refund:
        try:
            await _give_back(rt, result)
        except RefundTooLarge:  # the provider does not know it: nothing to give back
            log.warning("webhook asked to refund unknown capture %s", result.id)
    return {"duplicate": False}


async def _apply(
    s: AsyncSession,
    order: Order,
    kind: str,
    payment_id: str,
    event: dict[str, Any],
    to_refund: list[PaymentResult],
) -> None:
    capture = PaymentResult(
        payment_id,
        "captured",
        int(event.get("amount", 0)),
        str(event.get("currency", order.currency)),
        f"order-{order.id}",
    )
    if kind == "payment.captured":
        refunded_first = await s.scalar(
            select(PaymentEvent.id).where(
                PaymentEvent.payment_id == payment_id, PaymentEvent.type == "refund.succeeded"
            )
        )
        if refunded_first is not None:
            if order.status == "pending":
                await service.do_cancel(s, order)
        elif order.status == "pending":
            try:
                async with s.begin_nested():
                    await service.do_mark_paid(s, order, payment_id)
            except (ReservationExpired, ReservationNotHeld):
                to_refund.append(capture)
                await s.refresh(order)
                await service.do_cancel(s, order, expired=True)
        elif order.payment_id != payment_id:
            to_refund.append(capture)  # a second capture for one order: give it back
    elif kind == "refund.succeeded":
        if order.status in REFUNDABLE:
            # A refund made from the provider's own dashboard has no reference of ours: the
            # event's id stands in for it.
            ref = str(event.get("refund_ref") or event["id"])
            await service.do_apply_refund(s, order.id, ref, int(event.get("amount", 0)))
        elif order.status == "pending":
            await service.do_cancel(s, order)
