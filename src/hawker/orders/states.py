"""The order state machine (invariant 3): one table, and an error for everything else."""

from __future__ import annotations

from hawker.orders.errors import IllegalTransition

TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"shipped", "refunded"}),
    "shipped": frozenset({"delivered", "refunded"}),
    "delivered": frozenset({"completed", "refunded"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "refunded": frozenset(),
}
STATES = tuple(TRANSITIONS)
# States whose money counts as GMV (paid, and not given back).
GMV_STATES = ("paid", "shipped", "delivered", "completed")
# States a merchant may still refund from, in part or in full.
REFUNDABLE = ("paid", "shipped", "delivered")


def check_transition(order_id: int, current: str, to: str) -> None:
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"order {order_id} is {current}; it cannot become {to}", status_now=current
        )
