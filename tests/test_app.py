"""The application factory's process-level choices."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from hawker.app import create_app
from hawker.core.config import Settings


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
