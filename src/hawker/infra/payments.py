"""The payment provider port and its sandbox adapter.

The sandbox behaves like a card processor's test mode: deterministic, idempotent by key, with a
test card that declines, and signed webhook events like a real provider would send.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any, Protocol

from hawker.core.ids import new_token

DECLINED_CARD = "4000000000000002"


@dataclass(frozen=True)
class PaymentResult:
    id: str
    status: str  # "captured" | "declined" | "refunded"
    amount: int
    currency: str
    order_ref: str
    reason: str = ""


class RefundTooLarge(Exception):
    """A refund beyond what was captured and not yet refunded."""


class PaymentProvider(Protocol):
    async def charge(
        self, *, order_ref: str, amount: int, currency: str, card: str, idempotency_key: str
    ) -> PaymentResult: ...

    async def refund(
        self, *, payment_id: str, amount: int, idempotency_key: str
    ) -> PaymentResult: ...


class SandboxPaymentProvider:
    """In-memory provider: the same idempotency key always yields the very same result."""

    def __init__(self) -> None:
        self._by_key: dict[str, PaymentResult] = {}
        self._captures: dict[str, PaymentResult] = {}
        self._refunded: dict[str, int] = {}
        self.charges = 0  # real (non-replayed) charge attempts, for tests

    async def charge(
        self, *, order_ref: str, amount: int, currency: str, card: str, idempotency_key: str
    ) -> PaymentResult:
        if idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        self.charges += 1
        digits = "".join(ch for ch in card if ch.isdigit())
        if digits == DECLINED_CARD or not 12 <= len(digits) <= 19:
            result = PaymentResult(
                f"pay_{new_token(9)}", "declined", amount, currency, order_ref, "card_declined"
            )
        else:
            result = PaymentResult(f"pay_{new_token(9)}", "captured", amount, currency, order_ref)
            self._captures[result.id] = result
        self._by_key[idempotency_key] = result
        return result

    async def refund(self, *, payment_id: str, amount: int, idempotency_key: str) -> PaymentResult:
        if idempotency_key in self._by_key:
            return self._by_key[idempotency_key]
        capture = self._captures.get(payment_id)
        if capture is None:
            raise RefundTooLarge(f"no capture {payment_id}")
        done = self._refunded.get(payment_id, 0)
        if amount <= 0 or done + amount > capture.amount:
            raise RefundTooLarge(f"refund of {amount} exceeds the {capture.amount - done} left")
        self._refunded[payment_id] = done + amount
        result = PaymentResult(payment_id, "refunded", amount, capture.currency, capture.order_ref)
        self._by_key[idempotency_key] = result
        return result


def webhook_event(result: PaymentResult) -> dict[str, Any]:
    """The event a provider would POST to the webhook for this result."""
    kind = {
        "captured": "payment.captured",
        "declined": "payment.declined",
        "refunded": "refund.succeeded",
    }[result.status]
    return {
        "id": f"evt_{new_token(9)}",
        "type": kind,
        "payment_id": result.id,
        "order_ref": result.order_ref,
        "amount": result.amount,
        "currency": result.currency,
        "created": int(time.time()),
    }


def sign(payload: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def verify(payload: bytes, signature: str, secret: str) -> bool:
    return hmac.compare_digest(sign(payload, secret), signature)
