"""Orders error codes."""

from hawker.core.errors import Conflict, HawkerError, Invalid


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = "Order cannot change to that state"


class MixedOrder(Invalid):
    code = "mixed_order"
    title = "Items must share one merchant and one currency"


class PaymentDeclined(HawkerError):
    status = 402
    code = "payment_declined"
    title = "Payment declined"


class BadSignature(HawkerError):
    status = 401
    code = "bad_signature"
    title = "Webhook signature invalid"


class EmptyCart(Invalid):
    code = "empty_cart"
    title = "Cart is empty"


class RefundExceedsPaid(Invalid):
    code = "refund_exceeds_paid"
    title = "Refund larger than what is left to refund"
