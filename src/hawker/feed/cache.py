"""What keeps the home page fast with a big catalogue: each section is composed once per
``HAWKER_FEED_CACHE_SECONDS`` per process for all the shoppers it looks the same to (everyone,
or e.g. who follow the same hosts), a shopper's follows are kept as long, and impressions are
counted in memory and written at most once a second per process (and before metrics are
read), with their ``section.impression`` events, instead of one write per page view."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, cast

from hawker.feed import stats
from hawker.infra.runtime import Runtime

FLUSH_SECONDS = 1.0
MAX_ENTRIES = 10_000


class SectionCache:
    """Values by key for ``ttl`` seconds (0: no caching); a publish clears it. When an entry
    expires under load, one request loads it and the others wait for that load, rather than
    all ranking the same section at once."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[float, Any]] = {}
        self.loading: dict[str, asyncio.Future[Any]] = {}

    async def get(self, key: str, ttl: float, load: Callable[[], Awaitable[Any]]) -> Any:
        if ttl <= 0:
            return await load()
        hit = self.entries.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        if key in self.loading:
            return await asyncio.shield(self.loading[key])
        future = self.loading[key] = asyncio.get_running_loop().create_future()
        try:
            value = await load()
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        finally:
            del self.loading[key]
        future.set_result(value)
        if len(self.entries) >= MAX_ENTRIES:
            self._evict()
        self.entries[key] = (time.monotonic() + ttl, value)
        return value

    def _evict(self) -> None:
        """Expired entries go (shoppers' follows and personal sections come and go); if the
        rest is still too many, everything."""
        now = time.monotonic()
        self.entries = {k: v for k, v in self.entries.items() if v[0] > now}
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()

    def clear(self) -> None:
        self.entries.clear()


class ImpressionBuffer:
    """Impressions counted since the last write, by (section, user, day); ``keys`` are the
    sections' event-log keys (``stats.section_key``)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[int, int | None, date]] = Counter()
        self.keys: dict[int, str] = {}
        self.flushed = time.monotonic()

    def add(self, user_id: int | None, sections: Iterable[tuple[int, str]], day: date) -> None:
        for section_id, key in sections:
            self.counts[(section_id, user_id, day)] += 1
            self.keys[section_id] = key

    def due(self) -> bool:
        return bool(self.counts) and time.monotonic() - self.flushed >= FLUSH_SECONDS

    async def flush(self, rt: Runtime) -> None:
        counts, self.counts, self.flushed = self.counts, Counter(), time.monotonic()
        if not counts:
            return
        try:
            async with rt.db.write() as s:
                await stats.do_add_impressions(s, counts)
                await stats.do_record_impression_events(s, counts, self.keys)
        except BaseException:
            self.counts.update(counts)  # counted again at the next flush
            raise


def section_cache(rt: Runtime) -> SectionCache:
    return cast(SectionCache, rt.services.setdefault("feed.cache", SectionCache()))


def impressions(rt: Runtime) -> ImpressionBuffer:
    return cast(ImpressionBuffer, rt.services.setdefault("feed.impressions", ImpressionBuffer()))
