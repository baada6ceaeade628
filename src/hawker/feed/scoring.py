"""Ordering within a section: a small interface, so a learned ranker can replace the simple
score later, and the boosts a campaign engine supplies.

The simple score of a candidate is

    (1 + ln(1 + engagement)) * (0.5 + 0.5 ** (|now - at| / 24 h)) * (1 + conversion) * boost

- engagement: viewers now (live shows), likes (short videos, replays), units sold (products);
- ``at``: when it started, was published or starts (a show starting soon counts as fresh);
- conversion: paid orders per viewer where it is known cheaply (0 otherwise);
- boost: the provider's multiplier for the item (1 without one) times the host's tier
  feed boost (a tier's ``boost_pct`` 25 multiplies by 1.25).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

Key = tuple[str, int]  # (kind, id): ("show", 12), ("product", 7), ("video", 3), ("replay", 5)
HALF_LIFE_HOURS = 24.0


@dataclass
class Candidate:
    """Something a section could show, with the signals the scorer reads."""

    kind: str
    id: int
    at: datetime
    engagement: float = 0.0
    conversion: float = 0.0
    host_id: int | None = None
    row: Any = None  # what the source needs to present it

    @property
    def key(self) -> Key:
        return (self.kind, self.id)


@dataclass(frozen=True)
class Boosts:
    """Multipliers by item, and the items to label "Promoted"."""

    multipliers: Mapping[Key, float] = field(default_factory=dict)
    promoted: frozenset[Key] = frozenset()


class BoostProvider(Protocol):
    """Where boosts come from (campaigns at merge) and where impressions go back, so the
    provider can spend a boost's daily impression budget."""

    async def boosts(
        self, s: AsyncSession, keys: Collection[Key], scores: Mapping[Key, float] | None = None
    ) -> Boosts:
        """Multipliers for ``keys``, read in the caller's session ``s`` (a second session
        while the page holds one could exhaust the pool under load and deadlock); ``scores``
        (the unboosted scores) let a provider keep a boosted score within a cap."""
        ...

    async def shown(self, items: Sequence[Key]) -> None: ...


class Scorer(Protocol):
    def score(self, c: Candidate, now: datetime, boost: float) -> float: ...


class SimpleScorer:
    """The documented score above: higher is shown first."""

    def score(self, c: Candidate, now: datetime, boost: float) -> float:
        hours = abs((now - c.at).total_seconds()) / 3600
        freshness = 0.5 + 0.5 ** (hours / HALF_LIFE_HOURS)
        return (
            (1 + math.log1p(max(c.engagement, 0.0)))
            * freshness
            * (1 + max(c.conversion, 0.0))
            * max(boost, 0.0)
        )


def rank(
    scorer: Scorer, candidates: list[Candidate], boosts: Boosts, now: datetime, limit: int
) -> list[tuple[Candidate, float]]:
    """The ``limit`` best, best first; ties go to the newer id (stable for tests)."""
    scored = [(c, scorer.score(c, now, boosts.multipliers.get(c.key, 1.0))) for c in candidates]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].id))
    return scored[:limit]
