"""Deterministic, sticky assignment: no lookup, the same answer in every process.

A unit's bucket in a space of ``BUCKETS`` is a keyed BLAKE2b hash of its id, keyed by a salt
(an experiment's, a layer's or the holdout's), so buckets of different salts are independent.
An experiment's *allocation* is a table bucket -> variant index. Buckets are handed to
variants one by one, and ``reallocate`` moves as few as it can when weights or traffic
change: a variant that grows takes never-used buckets first; a variant that shrinks gives up
its highest buckets, which are *retired* (their units leave the experiment and see the
default) rather than handed to another variant, so a unit never silently switches arms while
unused buckets remain. Ramping traffic up keeps every assigned unit where it was.

Layers use the same tables: a layer's buckets (its own salt) are split between its
experiments, so a unit is in at most one experiment of a layer; different layers overlap
independently. A global holdout (its own salt) keeps a share of units out of everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

BUCKETS = 10_000
FREE = 255  # never handed to a variant
RETIRED = 254  # once held by a variant that shrank: out of the experiment, kept apart
MAX_VARIANTS = 16
EPOCH = datetime(1970, 1, 1)
Runs = list[tuple[int, int, int]]  # (start, end, variant): buckets [start, end) -> variant


class Hasher:
    """``bucket(unit)`` for one salt. The keyed BLAKE2b state is made once and copied per
    call, which is what keeps an assignment in the microseconds."""

    __slots__ = ("_prefix",)

    def __init__(self, salt: str) -> None:
        self._prefix = hashlib.blake2b(digest_size=8, key=salt.encode()[:64])

    def bucket(self, unit: str) -> int:
        return self.of(unit.encode())

    def of(self, unit: bytes) -> int:
        """The bucket of an encoded unit id (the hot path encodes once for all its hashes)."""
        h = self._prefix.copy()
        h.update(unit)
        return int.from_bytes(h.digest(), "big") % BUCKETS


def bucket(salt: str, unit: str) -> int:
    return Hasher(salt).bucket(unit)


def slot_unit(at: datetime, slot_seconds: int, stratum: str = "") -> str:
    """The unit of a switchback experiment (issue 7, part 5): the time slot holding ``at``
    (naive UTC), optionally within a category or region, so every shopper in that slot and
    stratum sees the same variant."""
    slot = int((at - EPOCH).total_seconds()) // slot_seconds
    return f"{slot}:{stratum}" if stratum else str(slot)


def targets(weights: Sequence[int], traffic: int) -> list[int]:
    """Buckets per variant: ``traffic`` buckets split by ``weights`` (largest remainder, ties
    to the earlier variant), so the counts always add up to ``traffic``."""
    total = sum(weights)
    if not weights or total <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    if not 0 <= traffic <= BUCKETS:
        raise ValueError(f"traffic must be within 0..{BUCKETS}")
    exact = [traffic * w for w in weights]
    counts = [e // total for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] % total), i))
    for i in order[: traffic - sum(counts)]:
        counts[i] += 1
    return counts


def reallocate(table: bytes | None, weights: Sequence[int], traffic: int) -> bytes:
    """The new bucket -> variant table for these weights and traffic, moving the fewest
    buckets from ``table`` (None: a new experiment)."""
    if len(weights) > MAX_VARIANTS:
        raise ValueError(f"at most {MAX_VARIANTS} variants")
    cells = bytearray(table if table is not None else bytes([FREE]) * BUCKETS)
    want = targets(weights, traffic)
    held: list[list[int]] = [[] for _ in weights]
    for b, v in enumerate(cells):
        if v < len(weights):
            held[v].append(b)
        elif v < RETIRED:  # a variant that no longer exists
            cells[b] = RETIRED
    for v, buckets in enumerate(held):
        for b in buckets[want[v] :][::-1]:  # give up the highest buckets
            cells[b] = RETIRED
        del buckets[want[v] :]
    free = [b for b, v in enumerate(cells) if v == FREE]
    free += [b for b, v in enumerate(cells) if v == RETIRED]  # only once nothing is unused
    taken = 0
    for v, buckets in enumerate(held):
        need = want[v] - len(buckets)
        for b in free[taken : taken + need]:
            cells[b] = v
        taken += need
    return bytes(cells)


def counts(table: bytes, variants: int) -> list[int]:
    return [table.count(bytes([v])) for v in range(variants)]


def to_runs(table: bytes) -> Runs:
    """A table as runs of equal cells (what is stored), free cells left out."""
    runs: Runs = []
    start = 0
    for b in range(1, BUCKETS + 1):
        if b == BUCKETS or table[b] != table[start]:
            if table[start] != FREE:
                runs.append((start, b, table[start]))
            start = b
    return runs


def from_runs(runs: Sequence[Sequence[int]]) -> bytes:
    cells = bytearray([FREE]) * BUCKETS
    for start, end, value in runs:
        if not (0 <= start < end <= BUCKETS and 0 <= value <= FREE):
            raise ValueError(f"bad run {(start, end, value)}")
        cells[start:end] = bytes([value]) * (end - start)
    return bytes(cells)


def claim_slice(taken: bytes, share: int) -> bytes:
    """A layer slice of ``share`` buckets from those no other experiment of the layer holds
    (``taken[b]`` is 1 when held), lowest first: a mask with 1 for the buckets claimed."""
    free = [b for b in range(BUCKETS) if not taken[b]]
    if share > len(free):
        raise ValueError(f"the layer has {len(free)} free buckets, {share} asked")
    mask = bytearray(BUCKETS)
    for b in free[:share]:
        mask[b] = 1
    return bytes(mask)


@dataclass(frozen=True)
class Compiled:
    """What assignment needs of one experiment, ready for the hot path."""

    hasher: Hasher
    table: bytes  # bucket -> variant index (>= RETIRED: not in the experiment)
    layer: Hasher | None = None  # None: the experiment holds its whole layer
    slice_mask: bytes = b""  # layer bucket -> 1 when the experiment holds it

    def arm(self, unit: bytes) -> int | None:
        """The variant index of the encoded ``unit``, or None when it is outside."""
        if self.layer is not None and not self.slice_mask[self.layer.of(unit)]:
            return None
        v = self.table[self.hasher.of(unit)]
        return v if v < RETIRED else None
