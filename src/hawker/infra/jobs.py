"""Background jobs on Huey: SQLite storage embedded, Redis storage when scaled out.

Domain work is async; Huey workers are threads. Every server process runs a consumer inside
itself and a job hands its coroutine to that process's event loop, so jobs share the process's
database engine and bus. With Redis storage every node consumes the same queue: a task runs on
whichever node takes it first, exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey
from huey.constants import EmptyData
from huey.consumer import Consumer
from huey.storage import RedisStorage

from hawker.core.config import Settings
from hawker.core.ids import new_token

log = logging.getLogger(__name__)
JobFn = Callable[[], Coroutine[Any, Any, Any]]


class _InProcessConsumer(Consumer):
    def _set_signal_handlers(self) -> None:
        """The server process owns SIGINT/SIGTERM; Huey must not take them over."""


def _huey(settings: Settings, queue: str = "") -> Huey:
    """The job store: ``jobs`` (expiry, settlement: short and frequent) or a named queue."""
    if settings.redis_url:
        return RedisHuey(name=f"{settings.redis_prefix}{queue or 'jobs'}", url=settings.redis_url)
    file = f"jobs-{queue}.sqlite3" if queue else "jobs.sqlite3"
    return SqliteHuey(
        name=f"hawker-{queue}" if queue else "hawker", filename=str(settings.data_dir / file)
    )


class Jobs:
    """Two queues with consumers of their own: ``huey`` for the short, frequent jobs money
    depends on (reservation expiry, deal ends, settlement), ``media`` for ffmpeg work that may
    take minutes (transcodes, replays), so a long encode never delays an expiry."""

    def __init__(self, settings: Settings) -> None:
        self.huey = _huey(settings)
        self.media = _huey(settings, "media")
        self.loop: asyncio.AbstractEventLoop | None = None
        self._consumers: list[Consumer] = []
        self._chains: list[tuple[Any, float]] = []
        self._watchdog: asyncio.Task[None] | None = None

    def _run(self, fn: JobFn, timeout: float = 300) -> Any:
        if self.loop is None:
            raise RuntimeError("jobs are not started")
        return asyncio.run_coroutine_threadsafe(fn(), self.loop).result(timeout=timeout)

    def every(self, name: str, seconds: float, fn: JobFn) -> None:
        """Run ``fn`` every ``seconds`` (finer than Huey's minute crontab) as one
        self-rescheduling chain shared by every node. A generation stamp kept in Huey's store
        retires chains left over from an earlier start, so starts never multiply them; a beat
        stamp lets the nodes restart a chain that died with the node running its step."""

        def step(generation: str) -> None:
            if self.huey.storage.peek_data(f"chain:{name}") != generation.encode():
                return
            try:
                self._run(fn)
            except Exception:
                log.exception("job %s failed; it runs again in %ss", name, seconds)
            self.huey.storage.put_data(f"beat:{name}", repr(time.time()).encode())
            task.schedule((generation,), delay=seconds)

        step.__name__ = step.__qualname__ = f"every_{name}"
        task = self.huey.task(name=f"every_{name}")(step)
        self._chains.append((task, seconds))

    def task(
        self,
        name: str,
        fn: Callable[..., Coroutine[Any, Any, Any]],
        *,
        retries: int = 2,
        retry_delay: float = 10,
        timeout: float = 300,
        media: bool = False,
    ) -> Callable[..., Any]:
        """A one-off job: the returned function enqueues ``fn(*args)`` (plain, picklable
        arguments) for whichever node's consumer takes it first; a failure is retried. Runs
        with the same arguments never overlap: a duplicate finding one running is retried.
        ``media`` puts it on the media queue."""
        huey = self.media if media else self.huey

        def run(*args: Any) -> None:
            with huey.lock_task(f"{name}:{args!r}"):
                self._run(lambda: fn(*args), timeout)

        run.__name__ = run.__qualname__ = name
        task = huey.task(name=name, retries=retries, retry_delay=retry_delay)(run)
        return task

    def _restart_chain(self, task: Any, delay: float = 0) -> None:
        name = task.name.removeprefix("every_")
        generation = new_token(8)
        self.huey.storage.put_data(f"chain:{name}", generation.encode())
        self.huey.storage.put_data(f"beat:{name}", repr(time.time()).encode())
        task.schedule((generation,), delay=delay)

    def _restart_stale_chains(self) -> None:
        """Start every chain that no node runs: never started (the first node to claim it
        starts it), or silent for longer than a step can take (a scheduler tick of 1 s plus
        a slow run). A healthy chain, e.g. one left scheduled by a graceful restart, goes on."""
        storage = self.huey.storage
        for task, seconds in self._chains:
            key = f"beat:{task.name.removeprefix('every_')}"
            if storage.put_if_empty(key, b"0"):
                self._restart_chain(task)
                continue
            beat = storage.peek_data(key)
            if beat is EmptyData or time.time() - float(beat) > 3 * seconds + 10:
                log.warning("job chain %s stopped beating; restarting it", task.name)
                # a period late: the old chain may only have been slow and have just run
                self._restart_chain(task, delay=seconds)

    async def _watch(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self._restart_stale_chains)
            except Exception:  # storage unreachable for a moment: look again next time
                log.exception("job chain watchdog failed")

    def start(
        self,
        loop: asyncio.AbstractEventLoop,
        workers: int = 2,
        watch_seconds: float = 5.0,
        media_workers: int = 2,
    ) -> None:
        self.loop = loop
        self._restart_stale_chains()
        for huey, count in ((self.huey, workers), (self.media, media_workers)):
            consumer = _InProcessConsumer(
                huey,
                workers=count,
                worker_type="thread",
                periodic=False,
                scheduler_interval=1,
                max_delay=0.5,
                check_worker_health=False,
                shutdown_timeout=5,
            )
            consumer.start()
            self._consumers.append(consumer)
        self._watchdog = loop.create_task(self._watch(watch_seconds), name="job-chain-watchdog")

    async def stop(self) -> None:
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        consumers, self._consumers = self._consumers, []
        for consumer in consumers:
            # Joined from a thread: a worker may be waiting on this very event loop.
            await asyncio.to_thread(consumer.stop, graceful=True)
        for huey in (self.huey, self.media):
            huey.storage.close()
            if isinstance(huey.storage, RedisStorage):
                huey.storage.pool.disconnect()
        self.loop = None
