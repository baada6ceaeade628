"""A short-lived "sold out" mark per deal, so the thousands of attempts that arrive after a deal
sells out are refused without queueing for the database's write lock.

Correctness never rests on it: a mark only refuses, it is set from a committed state this
process observed (zero left), and it is trusted for ``ttl`` seconds at most, after which the
next attempt asks the database again. Stock that comes back (an expired reservation) is seen
within that window, or at once when the ticker reports it.

When this process is the only one writing (no Redis: one process, see ``cli``), the gate also
remembers, for each deal launched here, the Idempotency-Key token of every attempt that went on
to the database. Only those can have an earlier response to replay, so any other refusal is
answered without a look-up, as the Redis engine's winning-key set allows on several nodes.
"""

from __future__ import annotations

import time

from hawker.infra.runtime import Runtime

MAX_TOKENS = 100_000  # per deal; past it the deal's refusals look up again (bounded memory)


class SoldOutGate:
    def __init__(self, ttl: float = 0.5, *, sole_writer: bool = False) -> None:
        self.ttl, self.sole_writer = ttl, sole_writer
        self._until: dict[int, float] = {}
        self._tokens: dict[int, set[str]] = {}  # deal -> tokens that reached the database

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

    def launched(self, deal_id: int) -> None:
        """The deal was launched by this process: nobody has tried to buy it yet."""
        if self.sole_writer:
            self._tokens[deal_id] = set()

    def ended(self, deal_ids: list[int]) -> None:
        """The deals ended: their tokens are let go (an unknown deal's refusals look up)."""
        for deal_id in deal_ids:
            self._tokens.pop(deal_id, None)

    def writing(self, deal_id: int, token: str) -> None:
        """An attempt with this Idempotency-Key token goes on to the database."""
        tokens = self._tokens.get(deal_id)
        if tokens is not None:
            if len(tokens) >= MAX_TOKENS:
                del self._tokens[deal_id]
            else:
                tokens.add(token)

    def may_replay(self, deal_id: int, token: str) -> bool:
        """Whether an earlier attempt with this token may have an order to give back."""
        tokens = self._tokens.get(deal_id)
        return tokens is None or token in tokens

    def may_replay_order(self, deal_ids: list[int], token: str) -> bool:
        """The same for an order of these deal lines; one without any is not known here."""
        return not deal_ids or any(self.may_replay(d, token) for d in deal_ids)


def sold_out_gate(rt: Runtime) -> SoldOutGate:
    gate = rt.services.get("sold_out_gate")
    if gate is None:
        gate = rt.services["sold_out_gate"] = SoldOutGate(sole_writer=not rt.settings.redis_url)
    assert isinstance(gate, SoldOutGate)
    return gate
