"""Exposure logging: the first time a unit actually sees a variant (not when it is assigned),
once per unit, experiment and variant, into ``experiment_exposures`` and the event log.

A unit seen in two variants (two devices, a ramp that retired its bucket) gets a second row;
``mixed_units`` reports them and the analysis leaves them out. A process remembers what it has
logged lately, so a page viewed again costs no write.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.service import record
from hawker.core.clock import utcnow
from hawker.core.db import upsert_insert
from hawker.experiments.models import Exposure
from hawker.experiments.registry import Assignment

SEEN_MAX = 100_000


class Seen:
    """Recently logged (experiment, unit, variant) triples, oldest forgotten first."""

    def __init__(self, size: int = SEEN_MAX) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[int, str, str], None] = OrderedDict()

    def __contains__(self, key: tuple[int, str, str]) -> bool:
        return key in self._seen

    def add(self, key: tuple[int, str, str]) -> None:
        self._seen[key] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)


async def do_expose(
    s: AsyncSession, assignment: Assignment, unit: str, seen: Seen, *, user_id: int | None = None
) -> bool:
    """Log that ``unit`` saw ``assignment``; True only the first time. Units outside the
    experiment (default variant, holdout, untargeted) are not exposures."""
    if not assignment.in_experiment or assignment.variant is None:
        return False
    key = (assignment.experiment_id, unit, assignment.variant)
    if key in seen:
        return False
    insert = upsert_insert(s)
    done = await s.execute(
        insert(Exposure)
        .values(experiment_id=key[0], unit=unit, variant=key[2], first_at=utcnow())
        .on_conflict_do_nothing()
    )
    seen.add(key)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await record(
        s,
        "experiment.exposure",
        user_id=user_id,
        data={"experiment": assignment.key, "variant": assignment.variant, "unit": unit},
    )
    return True


async def mixed_units(s: AsyncSession, experiment_id: int, limit: int = 100) -> list[str]:
    """Units exposed to more than one variant of the experiment."""
    return list(
        await s.scalars(
            select(Exposure.unit)
            .where(Exposure.experiment_id == experiment_id)
            .group_by(Exposure.unit)
            .having(func.count() > 1)
            .order_by(Exposure.unit)
            .limit(limit)
        )
    )
