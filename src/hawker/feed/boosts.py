"""The campaigns' traffic boosts as the front page's ``BoostProvider``: multipliers within each
boost's cap and pacing for the items a section ranks (labelled "Promoted"), and the boosted
impressions the page showed, counted against the daily budgets once a second rather than with
a write per page view."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from hawker.campaigns.boosts import boost_multipliers, do_count_impressions
from hawker.core.clock import utcnow
from hawker.feed.scoring import Boosts, Key
from hawker.infra.runtime import Runtime

FLUSH_SECONDS = 1.0


class CampaignBoosts:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.pending: Counter[Key] = Counter()
        self.flushed = time.monotonic()

    async def boosts(
        self, s: AsyncSession, keys: Collection[Key], scores: Mapping[Key, float] | None = None
    ) -> Boosts:
        found = await boost_multipliers(s, list(keys), utcnow(), dict(scores or {}))
        boosted = {key: m for key, m in found.items() if m > 1.0}
        return Boosts(boosted, frozenset(boosted))

    async def shown(self, items: Sequence[Key]) -> None:
        """Buffered; a crash loses at most a second of boosted impressions (the budget then
        errs towards showing a boost a little more, never towards charging more)."""
        self.pending.update(items)
        if time.monotonic() - self.flushed < FLUSH_SECONDS:
            return
        shown, self.pending, self.flushed = self.pending, Counter(), time.monotonic()
        async with self.rt.db.write() as s:
            await do_count_impressions(s, list(shown.elements()), utcnow())
