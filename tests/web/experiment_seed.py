"""A running experiment's history written straight into the database: exposures and purchases
spread over the last days, with a lopsided split (a sample-ratio mismatch), a clear GMV lift in
the treatment and one unit seen in both variants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.analytics.models import Event
from hawker.core.clock import utcnow
from hawker.experiments.models import Experiment, Exposure
from hawker.experiments.service import access_experiment


@dataclass(frozen=True)
class Seeded:
    units: dict[str, int]  # per variant, the mixed unit left out
    gmv: dict[str, list[int]]  # per variant, each unit's GMV


async def seed_history(
    s: AsyncSession,
    key: str,
    *,
    days: int = 4,
    units: tuple[int, ...] = (400, 300),
    buy: tuple[float, ...] = (0.3, 0.5),
    refund: tuple[float, ...] = (0.05, 0.05),
) -> Seeded:
    """``units`` per variant (50/50 weights: 400 vs 300 is an SRM at p < 0.001), buying with
    probability ``buy`` and refunding a purchase with probability ``refund``; first exposures
    spread over ``days`` days back."""
    experiment = await access_experiment(s, key)
    arms = [str(v["key"]) for v in experiment.variants]
    start = utcnow() - timedelta(days=days)
    await s.execute(
        update(Experiment).where(Experiment.id == experiment.id).values(started_at=start)
    )
    rng = np.random.default_rng(7)
    gmv: dict[str, list[int]] = {arm: [] for arm in arms}
    unit = 1000
    for arm, count, p, back in zip(arms, units, buy, refund, strict=True):
        for i in range(count):
            unit += 1
            seen = start + timedelta(days=i % days, hours=1)
            s.add(Exposure(experiment_id=experiment.id, unit=str(unit), variant=arm, first_at=seen))
            spent = int(rng.poisson(2000)) if rng.random() < p else 0
            if spent:
                at = seen + timedelta(hours=2)
                s.add(Event(type="purchase", at=at, user_id=unit, order_id=unit, value=spent))
                if rng.random() < back:
                    s.add(Event(type="refund", at=at, user_id=unit, order_id=unit, value=spent))
            gmv[arm].append(spent)
    # the last treatment unit also saw the control: reported, left out of the analysis
    s.add(Exposure(experiment_id=experiment.id, unit=str(unit), variant=arms[0], first_at=start))
    gmv[arms[-1]].pop()
    await s.flush()
    return Seeded({arm: len(g) for arm, g in gmv.items()}, gmv)
