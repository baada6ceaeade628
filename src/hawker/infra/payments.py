"""The payment provider port and its sandbox adapter.

The sandbox behaves like a card processor's test mode: deterministic outcomes, idempotent by
key, a test card that declines, and signed webhook events like a real provider would send.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC
from typing import Literal, Protocol, TypedDict

from hawker.core.clock import utcnow
from hawker.core.ids import new_token
from hawker.core.money import CURRENCY_EXPONENT

DECLINED_CARD = "4000000000000002"


@dataclass(frozen=True)
class PaymentResult:
    id: str  # the payment's id; a refund carries the id of the payment it refunds
    status: str  # "captured" | "declined" | "refunded"
    amount: int  # minor units
    currency: str
    order_ref: str
    reason: str = ""


class WebhookEvent(TypedDict):
    id: str
    type: Literal["payment.captured", "payment.declined", "refund.succeeded"]
    payment_id: str
    order_ref: str
    amount: int
    currency: str
    created: int  # Unix seconds


class RefundTooLarge(Exception):
    """A refund of nothing, of an unknown payment, or beyond what is captured and unrefunded."""


class PaymentProvider(Protocol):
    async def charge(
        self, *, order_ref: str, amount: int, currency: str, card: str, idempotency_key: str
    ) -> PaymentResult: ...

    async def refund(
        self, *, payment_id: str, amount: int, idempotency_key: str
    ) -> PaymentResult: ...


class SandboxPaymentProvider:
    """In-memory provider: the same idempotency key always yields the very same result.

    Its methods never await, so each runs to completion on the event loop without interleaving.
    """

    def __init__(self) -> None:
        self._charged: dict[str, PaymentResult] = {}  # by idempotency key
        self._refunds: dict[str, PaymentResult] = {}  # by idempotency key
        self._captures: dict[str, PaymentResult] = {}  # by payment id
        self._refunded: dict[str, int] = {}  # payment id -> amount refunded so far
        self.charges = 0  # real (non-replayed) charge attempts, for tests

    async def charge(
        self, *, order_ref: str, amount: int, currency: str, card: str, idempotency_key: str
    ) -> PaymentResult:
        if idempotency_key in self._charged:
            return self._charged[idempotency_key]
        if amount < 1 or currency not in CURRENCY_EXPONENT:
            raise ValueError(f"cannot charge {amount} {currency!r}")
        self.charges += 1
        payment_id = f"pay_{new_token(9)}"
        digits = "".join(ch for ch in card if ch.isdigit())
        if not 12 <= len(digits) <= 19 or len(digits) != len(card.replace(" ", "")):
            reason = "invalid_number"
        elif digits == DECLINED_CARD:
            reason = "card_declined"
        else:
            reason = ""
        if reason:
            result = PaymentResult(payment_id, "declined", amount, currency, order_ref, reason)
        else:
            result = PaymentResult(payment_id, "captured", amount, currency, order_ref)
            self._captures[payment_id] = result
        self._charged[idempotency_key] = result
        return result

    async def refund(self, *, payment_id: str, amount: int, idempotency_key: str) -> PaymentResult:
        if idempotency_key in self._refunds:
            return self._refunds[idempotency_key]
        capture = self._captures.get(payment_id)
        if capture is None:
            raise RefundTooLarge(f"no captured payment {payment_id}")
        done = self._refunded.get(payment_id, 0)
        if amount < 1 or done + amount > capture.amount:
            raise RefundTooLarge(f"refund of {amount} exceeds the {capture.amount - done} left")
        self._refunded[payment_id] = done + amount
        result = PaymentResult(payment_id, "refunded", amount, capture.currency, capture.order_ref)
        self._refunds[idempotency_key] = result
        return result


_EVENT_TYPES: dict[str, Literal["payment.captured", "payment.declined", "refund.succeeded"]] = {
    "captured": "payment.captured",
    "declined": "payment.declined",
    "refunded": "refund.succeeded",
}


def events_for(result: PaymentResult) -> list[WebhookEvent]:
    """The events a provider would POST to the webhook for this result, each with a fresh id
    (a redelivery re-sends the same event; a new call describes a new occurrence)."""
    return [
        WebhookEvent(
            id=f"evt_{new_token(12)}",
            type=_EVENT_TYPES[result.status],
            payment_id=result.id,
            order_ref=result.order_ref,
            amount=result.amount,
            currency=result.currency,
            created=int(utcnow().replace(tzinfo=UTC).timestamp()),
        )
    ]


def sign(payload: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of the exact payload bytes."""
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def verify(payload: bytes, signature: str, secret: str) -> bool:
    """Constant-time check of ``signature`` against the payload."""
    return hmac.compare_digest(sign(payload, secret).encode(), signature.encode())
