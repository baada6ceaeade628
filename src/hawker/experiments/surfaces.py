"""What the server code of a page needs from experiments: which unit the caller is for an
experiment, and exposure logging that costs nothing on a page's hot path once a unit was
logged (the process's ``Seen`` cache is checked before any write is opened)."""

from __future__ import annotations

from hawker.experiments.exposures import Seen, do_expose
from hawker.experiments.registry import Assignment, Registry
from hawker.infra.runtime import Runtime

DEVICE_COOKIE = "hawker_device"


def unit_for(registry: Registry, key: str, user_id: int | None, device: str | None) -> str | None:
    """The caller as a unit of ``key``: its account for shopper experiments, the device
    cookie for device ones; host, show, merchant and slot units are asked for by the server
    code that knows them, never by a caller."""
    entry = registry.entries.get(key)
    if entry is None:
        return None
    if entry.unit_type == "shopper":
        return str(user_id) if user_id is not None else None
    return device if entry.unit_type == "device" else None


async def expose(
    rt: Runtime, assignment: Assignment, unit: str, *, user_id: int | None = None
) -> bool:
    """Log that ``unit`` saw ``assignment`` (True the first time); no write at all for units
    outside the experiment or already logged by this process."""
    if not assignment.in_experiment or assignment.variant is None:
        return False
    seen: Seen = rt.services["experiment_seen"]
    if (assignment.experiment_id, unit, assignment.variant) in seen:
        return False
    async with rt.db.write() as s:
        return await do_expose(s, assignment, unit, seen, user_id=user_id)
