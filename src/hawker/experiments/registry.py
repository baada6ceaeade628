"""The in-process snapshot of every definition, and ``variant()`` served from it.

``variant(key, unit)`` never touches the database: it reads a dict built from the definitions
(hashers, allocation tables, layer masks and targeting compiled once). Each process polls the
definitions version (one indexed single-row read) every ``HAWKER_EXPERIMENT_REFRESH_SECONDS``
and reloads when it moved; the process that made a change reloads at once. So a kill switch
is effective everywhere within that interval (1 s by default), with no bus needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select

from hawker.core.db import Database
from hawker.experiments import assignment, two_sided
from hawker.experiments.models import DefinitionsVersion, Experiment, Layer
from hawker.experiments.targeting import Check, Context, Rules, compile_rules
from hawker.infra.runtime import Runtime

log = logging.getLogger(__name__)
NOBODY = Context()
# the global holdout is of people, not hosts or slots (a pair: its shopper)
HOLDOUT_UNITS = {"shopper", "device", "pair"}


class Assignment(NamedTuple):
    """Made once per variant when the snapshot loads, so ``variant()`` allocates nothing."""

    key: str
    variant: str | None  # None: no such experiment or flag
    value: Any
    in_experiment: bool  # False: the default, and nothing to expose
    experiment_id: int = 0


@dataclass(frozen=True)
class Entry:
    id: int
    key: str
    unit_type: str
    answers: tuple[Assignment, ...]  # per variant, in the experiment
    default: Assignment  # outside it: the control, or the shipped variant once stopped
    compiled: assignment.Compiled | None  # None: not running
    check: Check | None
    holdout: bool
    pair: two_sided.PairCompiled | None = None  # a running pair experiment (then no compiled)


def compile_assignment(
    e: Experiment, layer_salt: str, salt: str | None = None
) -> assignment.Compiled:
    """The experiment's allocation and layer slice, ready to assign (also for a stopped
    switchback, whose analysis re-derives each slot's variant); ``salt`` replaces the
    experiment's own (a pair experiment's shopper side)."""
    mask = assignment.from_runs(e.layer_slice)
    whole = mask.count(bytes([1])) == assignment.BUCKETS
    return assignment.Compiled(
        assignment.Hasher(salt or e.salt),
        assignment.from_runs(e.allocation),
        None if whole else assignment.Hasher(layer_salt),
        b"" if whole else bytes(1 if m == 1 else 0 for m in mask),
    )


def compile_pair(e: Experiment, layer_salt: str) -> two_sided.PairCompiled:
    """A two-sided experiment's assignment: shoppers and hosts each drawn from their own salt."""
    shopper_salt, host_salt = two_sided.side_salts(e.salt)
    return two_sided.PairCompiled(
        compile_assignment(e, layer_salt, shopper_salt), assignment.Hasher(host_salt)
    )


def compile_entry(e: Experiment, layer_salt: str) -> Entry:
    keys = tuple(str(v["key"]) for v in e.variants)
    shipped = keys.index(e.shipped) if e.shipped in keys else 0
    compiled = pair = None
    if e.status == "running" and e.unit_type == "pair":  # answered by pair_variant only
        pair = compile_pair(e, layer_salt)
    elif e.status == "running":
        compiled = compile_assignment(e, layer_salt)
    values = [v.get("value") for v in e.variants]
    fixed = shipped if e.status == "stopped" else 0
    return Entry(
        id=e.id,
        key=e.key,
        unit_type=e.unit_type,
        answers=tuple(
            Assignment(e.key, k, v, True, e.id) for k, v in zip(keys, values, strict=True)
        ),
        default=Assignment(e.key, keys[fixed], values[fixed], False, e.id),
        compiled=compiled,
        check=compile_rules(Rules.model_validate(e.targeting)),
        holdout=e.holdout and e.unit_type in HOLDOUT_UNITS,
        pair=pair,
    )


class Registry:
    def __init__(self, holdout_buckets: int = 0, holdout_salt: str = "hawker-holdout") -> None:
        self.entries: dict[str, Entry] = {}
        self.version = -1
        self.holdout_buckets = holdout_buckets
        self._holdout = assignment.Hasher(holdout_salt)
        self._task: asyncio.Task[None] | None = None

    def in_holdout(self, unit: str) -> bool:
        return self._holdout.bucket(unit) < self.holdout_buckets

    def default(self, key: str) -> Assignment:
        """What a unit outside the experiment (or an unknown caller) gets."""
        entry = self.entries.get(key)
        return entry.default if entry is not None else Assignment(key, None, None, False)

    def variant(self, key: str, unit: str, ctx: Context | None = None) -> Assignment:
        """The unit's variant of ``key``: typed by the definition's values, microseconds."""
        entry = self.entries.get(key)
        if entry is None:
            return Assignment(key, None, None, False)
        compiled = entry.compiled
        data = unit.encode()
        if (
            compiled is None
            or (entry.holdout and self._holdout.of(data) < self.holdout_buckets)
            or (entry.check is not None and not entry.check(unit, ctx or NOBODY))
        ):
            return entry.default
        arm = compiled.arm(data)
        return entry.default if arm is None else entry.answers[arm]

    def pair_variant(
        self, key: str, shopper: str, host: str, ctx: Context | None = None
    ) -> Assignment:
        """The variant of a shopper-host interaction in a two-sided (``pair``) experiment:
        the treatment only when the shopper's side and the host's side both drew it, each by
        its own salt (``two_sided.side_salts``), so the sides are independent and sticky with
        no lookup. Holdout, targeting and the layer slice apply to the shopper."""
        entry = self.entries.get(key)
        if entry is None:
            return Assignment(key, None, None, False)
        pair = entry.pair
        data = shopper.encode()
        if (
            pair is None
            or (entry.holdout and self._holdout.of(data) < self.holdout_buckets)
            or (entry.check is not None and not entry.check(shopper, ctx or NOBODY))
        ):
            return entry.default
        arm = pair.arm(data, host.encode())
        return entry.default if arm is None else entry.answers[arm]

    def load(self, experiments: list[Experiment], salts: dict[int, str], version: int) -> None:
        self.entries = {e.key: compile_entry(e, salts[e.layer_id]) for e in experiments}
        self.version = version

    async def refresh(self, db: Database, *, force: bool = False) -> bool:
        """Reload when the definitions version moved (or ``force``); True when reloaded."""
        async with db.read() as s:
            version = await s.scalar(
                select(DefinitionsVersion.version).where(DefinitionsVersion.id == 1)
            )
            if not force and (version or 0) == self.version:
                return False
            experiments = list(await s.scalars(select(Experiment)))
            salts = {i: salt for i, salt in await s.execute(select(Layer.id, Layer.salt))}
        self.load(experiments, salts, version or 0)
        return True

    def start(self, db: Database, every: float) -> None:
        async def poll() -> None:
            while True:
                try:
                    await self.refresh(db)
                except Exception:  # the database is away: keep serving the last snapshot
                    log.exception("experiments: refresh failed; serving the last definitions")
                await asyncio.sleep(every)

        self._task = asyncio.create_task(poll(), name="experiments-refresh")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def registry_of(rt: Runtime) -> Registry:
    """The process's registry: server code asks ``registry_of(rt).variant(key, unit, ctx)``."""
    registry: Registry = rt.services["experiments"]
    return registry
