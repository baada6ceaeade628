"""Huey-backed periodic jobs run on the server's loop and do not multiply across restarts."""

import asyncio
from pathlib import Path

from hawker.core.config import Settings
from hawker.infra.jobs import Jobs


async def test_every_runs_repeatedly_on_the_event_loop(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    runs: list[asyncio.AbstractEventLoop] = []

    async def tick() -> None:
        runs.append(asyncio.get_running_loop())

    jobs = Jobs(settings)
    jobs.every("tick", 0.2, tick)
    jobs.start(asyncio.get_running_loop())
    try:
        for _ in range(100):
            if len(runs) >= 2:
                break
            await asyncio.sleep(0.1)
    finally:
        await jobs.stop()
    assert len(runs) >= 2
    assert all(loop is asyncio.get_running_loop() for loop in runs)


async def test_restart_retires_the_old_chain(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    runs: list[str] = []

    def make(label: str) -> Jobs:
        async def tick() -> None:
            runs.append(label)

        jobs = Jobs(settings)
        jobs.every("tick", 0.3, tick)
        return jobs

    first = make("first")
    first.start(asyncio.get_running_loop())
    await asyncio.sleep(0.5)
    await first.stop()  # leaves its next step scheduled in the store, as a crash would
    second = make("second")
    second.start(asyncio.get_running_loop())
    await asyncio.sleep(2.5)
    await second.stop()
    later = runs[runs.index("second") :]
    # Only the new chain runs: about one run per 0.3 s interval plus scheduler granularity,
    # never the old chain's label again.
    assert "first" not in later
    assert 2 <= len(later) <= 6
