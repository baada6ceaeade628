"""Headless Chromium via Playwright, one per test session, for every test that needs a browser
(registered as a plugin by tests/conftest.py: one sync Playwright may run at a time).

Browser tests skip (saying why) when Debian's Chromium is missing, except under ``CI=true``,
where a missing browser is a failure: CI must never silently skip them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).parent / "web" / "screenshots"
SHOTS_COPY = Path("/tmp/hawker-shots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module, not per session: while Playwright's sync API is open its
    event loop counts as running in the main thread, so a test after the browser tests that
    calls ``asyncio.run`` (or an asyncio test) would fail. A launch costs about a second."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot under tests/web/screenshots/ and /tmp/hawker-shots/."""

    def save(page: Any, name: str, full_page: bool = False) -> Path:
        SHOTS.mkdir(exist_ok=True)
        SHOTS_COPY.mkdir(exist_ok=True)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        shutil.copy(path, SHOTS_COPY / path.name)
        return path

    return save
