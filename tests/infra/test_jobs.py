"""Huey-backed periodic jobs run on the server's loop and do not multiply across restarts."""

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from hawker.core.config import Settings
from hawker.core.ids import new_token
from hawker.infra.jobs import Jobs
from tests.services import need_redis


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


async def test_a_restart_does_not_multiply_chains(tmp_path: Path) -> None:
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


@pytest.fixture
def redis_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings of a scale-out deployment with its own key prefix on the shared Redis."""
    url = need_redis()
    client = redis.Redis.from_url(url)
    prefix = f"t{new_token(6).lower()}:"
    yield Settings(data_dir=tmp_path, redis_url=url, redis_prefix=prefix)
    for key in client.scan_iter(match=f"*{prefix.rstrip(':')}*"):  # Huey drops the ':'
        client.delete(key)
    client.close()


def _counting_node(settings: Settings, runs: list[float], period: float) -> Jobs:
    async def tick() -> None:
        runs.append(time.monotonic())

    jobs = Jobs(settings)
    jobs.every("tick", period, tick)
    return jobs


async def test_nodes_on_redis_share_one_chain(redis_settings: Settings) -> None:
    """Two nodes sharing the Redis queue run a periodic job as one chain between them: each
    run is at least a period after the one before (two chains would interleave)."""
    runs: list[float] = []
    loop = asyncio.get_running_loop()
    nodes = [_counting_node(redis_settings, runs, 0.3) for _ in range(2)]
    for node in nodes:
        node.start(loop)
    await asyncio.sleep(4.0)
    for node in nodes:
        await node.stop()
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    assert len(runs) >= 3, runs
    assert min(gaps) >= 0.29, gaps


async def test_a_chain_lost_with_its_node_is_restarted(redis_settings: Settings) -> None:
    """A node that dies while holding the chain's next step does not stop the job for good:
    the surviving node's watchdog sees the beat go stale and restarts the chain."""
    runs: list[float] = []
    survivor = _counting_node(redis_settings, runs, 0.2)
    survivor.start(asyncio.get_running_loop(), watch_seconds=0.2)
    # the chain is lost: a new generation is recorded but no step of it is queued, as when a
    # node dies between taking a step and scheduling the next
    survivor.huey.storage.put_data("chain:tick", b"lost")
    await asyncio.sleep(0.5)
    lost_at = len(runs)
    survivor.huey.storage.put_data("beat:tick", repr(time.time() - 60).encode())
    for _ in range(50):
        if len(runs) > lost_at + 2:
            break
        await asyncio.sleep(0.1)
    await survivor.stop()
    assert len(runs) > lost_at + 2, "the watchdog did not restart the lost chain"


async def test_a_false_alarm_does_not_double_the_chain(redis_settings: Settings) -> None:
    """A watchdog that restarts a chain which was only slow retires the old chain: the job
    still runs at most once per period."""
    runs: list[float] = []
    node = _counting_node(redis_settings, runs, 0.3)
    node.start(asyncio.get_running_loop(), watch_seconds=0.2)
    await asyncio.sleep(1.0)
    node.huey.storage.put_data("beat:tick", repr(time.time() - 60).encode())  # looks dead
    await asyncio.sleep(3.0)
    await node.stop()
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    assert len(runs) >= 4, runs
    assert min(gaps) >= 0.29, gaps


async def test_a_task_runs_once_per_enqueue_and_never_twice_at_once(tmp_path: Path) -> None:
    """One-off jobs (a replay from a recording): each enqueue runs; a duplicate that finds the
    same arguments running is retried after it rather than run alongside it."""
    running: dict[str, int] = {}
    overlap: list[str] = []
    done: list[str] = []

    async def work(name: str) -> None:
        running[name] = running.get(name, 0) + 1
        if running[name] > 1:
            overlap.append(name)
        await asyncio.sleep(0.4)
        running[name] -= 1
        done.append(name)

    jobs = Jobs(Settings(data_dir=tmp_path))
    enqueue = jobs.task("work", work, retries=3, retry_delay=0.5)
    jobs.start(asyncio.get_running_loop(), workers=3)
    try:
        for name in ("a", "a", "b"):
            await asyncio.to_thread(enqueue, name)
        for _ in range(100):
            if len(done) == 3:
                break
            await asyncio.sleep(0.1)
    finally:
        await jobs.stop()
    assert sorted(done) == ["a", "a", "b"]
    assert overlap == []


async def test_a_long_media_job_does_not_hold_back_the_money_jobs(tmp_path: Path) -> None:
    """Transcodes and replays run on their own queue: while two take every media worker, the
    periodic chain (reservation expiry, deal ends) keeps its pace."""
    beats: list[float] = []
    release = asyncio.Event()

    async def tick() -> None:
        beats.append(time.monotonic())

    async def encode(n: int) -> None:
        await release.wait()

    jobs = Jobs(Settings(data_dir=tmp_path))
    jobs.every("expire", 0.2, tick)
    enqueue = jobs.task("encode", encode, media=True)
    jobs.start(asyncio.get_running_loop(), workers=1, media_workers=2)
    try:
        for n in range(3):  # more than the media workers: one waits in its queue
            await asyncio.to_thread(enqueue, n)
        await asyncio.sleep(0.5)
        started = len(beats)
        await asyncio.sleep(3)
        # a beat a little over a second apart (Huey's scheduler ticks every second); on one
        # shared queue the single worker would be stuck behind the encodes: no beat at all
        assert len(beats) - started >= 2, beats
    finally:
        release.set()
        await jobs.stop()
