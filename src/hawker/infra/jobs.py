"""Background jobs on Huey: SQLite storage embedded, Redis storage when scaled out.

Domain work is async; Huey workers are threads. A job hands its coroutine to the server's
event loop when the consumer runs inside the server (embedded default), so jobs share the
process's database engine and bus.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from huey import SqliteHuey
from huey.api import Huey
from huey.consumer import Consumer

from hawker.core.config import Settings
from hawker.core.ids import new_token

log = logging.getLogger(__name__)
JobFn = Callable[[], Coroutine[Any, Any, Any]]


class _InProcessConsumer(Consumer):
    def _set_signal_handlers(self) -> None:
        """The server process owns SIGINT/SIGTERM; Huey must not take them over."""


class Jobs:
    def __init__(self, settings: Settings) -> None:
        self.huey: Huey = SqliteHuey(
            name="hawker", filename=str(settings.data_dir / "jobs.sqlite3")
        )
        self.loop: asyncio.AbstractEventLoop | None = None
        self._consumer: Consumer | None = None
        self._chains: list[tuple[Any, float]] = []

    def _run(self, fn: JobFn) -> Any:
        if self.loop is None:
            raise RuntimeError("jobs are not started")
        return asyncio.run_coroutine_threadsafe(fn(), self.loop).result(timeout=300)

    def every(self, name: str, seconds: float, fn: JobFn) -> None:
        """Run ``fn`` every ``seconds`` (finer than Huey's minute crontab) as a
        self-rescheduling task. A generation stamp kept in Huey's store retires chains left
        over from an earlier process, so restarts never multiply them."""
        key = f"chain:{name}"

        def step(generation: str) -> None:
            if self.huey.storage.peek_data(key) != generation.encode():
                return
            try:
                self._run(fn)
            except Exception:
                log.exception("job %s failed; it runs again in %ss", name, seconds)
            task.schedule((generation,), delay=seconds)

        step.__name__ = step.__qualname__ = f"every_{name}"
        task = self.huey.task(name=f"every_{name}")(step)
        self._chains.append((task, seconds))

    def start(self, loop: asyncio.AbstractEventLoop, workers: int = 2) -> None:
        self.loop = loop
        for task, _seconds in self._chains:
            generation = new_token(8)
            self.huey.storage.put_data(
                f"chain:{task.name.removeprefix('every_')}", generation.encode()
            )
            task(generation)
        self._consumer = _InProcessConsumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            periodic=False,
            scheduler_interval=1,
            max_delay=0.5,
            check_worker_health=False,
            shutdown_timeout=5,
        )
        self._consumer.start()

    async def stop(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            # Joined from a thread: a worker may be waiting on this very event loop.
            await asyncio.to_thread(consumer.stop, graceful=True)
        self.huey.storage.close()
        self.loop = None
