"""A short-lived "sold out" mark per deal, so the thousands of attempts that arrive after a deal
sells out are refused without queueing for the database's write lock.

Correctness never rests on it: a mark only refuses, it is set from a committed state this
process observed (zero left), and it is trusted for ``ttl`` seconds at most, after which the
next attempt asks the database again. Stock that comes back (an expired reservation) is seen
within that window, or at once when the ticker reports it.
"""

from __future__ import annotations

import time

from hawker.infra.runtime import Runtime


class SoldOutGate:
    def __init__(self, ttl: float = 0.5) -> None:
        self.ttl = ttl
        self._until: dict[int, float] = {}

    def is_sold_out(self, deal_id: int) -> bool:
        until = self._until.get(deal_id)
        if until is None:
            return False
        if time.monotonic() >= until:
            del self._until[deal_id]
            return False
        return True

    def observed(self, deal_id: int, left: int) -> None:
        if left <= 0:
            self._until[deal_id] = time.monotonic() + self.ttl
        else:
            self._until.pop(deal_id, None)


def sold_out_gate(rt: Runtime) -> SoldOutGate:
    gate = rt.services.get("sold_out_gate")
    if gate is None:
        gate = rt.services["sold_out_gate"] = SoldOutGate()
    assert isinstance(gate, SoldOutGate)
    return gate
