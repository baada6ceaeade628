"""The application factory's process-level choices."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from hawker.app import create_app
from hawker.core.config import Settings
from hawker.infra.data_dir_lock import DataDirInUse
from hawker.sim.demo import run_demo


def test_only_a_served_app_freezes_its_start_up_heap(settings: Settings) -> None:
    """A server process keeps its start-up objects out of full collections; a test process,
    which builds many apps, must not pin every one of them for good."""
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings)):
        assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(settings, freeze_heap=True)):
            assert gc.get_freeze_count() > 10_000  # modules, routes, mappers, templates
    finally:
        gc.unfreeze()


def test_without_redis_a_second_app_on_the_same_data_directory_is_refused(
    settings: Settings,
) -> None:
    """Its rooms and sold-out gate would not see the first one's; the lock goes with the app."""
    first, second = TestClient(create_app(settings)), TestClient(create_app(settings))
    with first, pytest.raises(DataDirInUse, match=f"pid {os.getpid()}"), second:
        pass
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200


def test_a_second_hawker_serve_on_the_same_data_directory_exits_saying_why(
    settings: Settings,
) -> None:
    env = os.environ | {
        "HAWKER_DATA_DIR": str(settings.data_dir),
        "HAWKER_DATABASE_URL": settings.effective_database_url,
    }
    serve = [sys.executable, "-m", "hawker.cli", "serve", "--port", "0"]
    with TestClient(create_app(settings)):
        second = subprocess.run(serve, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode != 0
    assert f"another process (pid {os.getpid()}) serves" in second.stderr
    assert "Traceback" not in second.stderr  # refused before the server starts


def test_a_second_demo_leaves_the_running_demos_data_alone(settings: Settings) -> None:
    """A demo wipes its directory as it starts: not while another demo serves from it."""
    demo_dir = settings.data_dir / "demo"
    demo = settings.model_copy(update={"data_dir": demo_dir})
    with TestClient(create_app(demo)):
        seeded = sorted(p.name for p in demo_dir.iterdir())
        with pytest.raises(SystemExit, match=f"another process \\(pid {os.getpid()}\\) serves"):
            asyncio.run(run_demo("127.0.0.1", 0, settings=settings))
        assert sorted(p.name for p in demo_dir.iterdir()) == seeded
