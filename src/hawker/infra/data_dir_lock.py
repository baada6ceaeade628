"""Without Redis, one process serves a deployment: its rooms live in that process's memory,
and its sold-out gate trusts that every order attempt passes through it (``deals.gate``).
The CLI refuses ``--workers`` above 1 then; this lock also refuses a second ``hawker serve``
(or demo) started on the same data directory. ``fcntl.flock`` (the standard library): the
kernel lets it go when the process dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "serving.lock"


class DataDirInUse(RuntimeError):
    pass


@contextmanager
def serving_alone(data_dir: Path) -> Iterator[None]:
    """Hold the data directory for this process, or raise ``DataDirInUse``."""
    with (data_dir / LOCK_FILE).open("a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            raise DataDirInUse(
                f"another process (pid {holder}) serves {data_dir}; without HAWKER_REDIS_URL "
                "one process serves a deployment (see docs/deploy.md)"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def refuse_if_served(data_dir: Path) -> None:
    """Exit saying which process serves ``data_dir``, before a command touches it (a demo
    wipes its directory) or a server prints its start-up failure; the lock the app takes
    while it serves stays the guard."""
    if not data_dir.is_dir():
        return
    try:
        with serving_alone(data_dir):
            pass
    except DataDirInUse as e:
        raise SystemExit(f"hawker: {e}") from None
