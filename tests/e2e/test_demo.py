"""`hawker demo` is the newcomer's first look: it must come up seeded and lively quickly."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import _free_port


@pytest.mark.slow
def test_demo_shows_a_lively_room_within_seconds(tmp_path: Path, database_url: str) -> None:
    port = _free_port()
    env = os.environ | {"HAWKER_DATA_DIR": str(tmp_path), "HAWKER_DATABASE_URL": database_url}
    started = time.monotonic()
    log_path = tmp_path / "demo.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hawker.cli", "demo", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        while "Ctrl+C" not in (text := log_path.read_text()):
            assert proc.poll() is None and time.monotonic() - started < 30, text
            time.sleep(0.2)
        assert "Hawker demo is running" in text and "operator@demo.hawker.dev" in text, text
        base = f"http://127.0.0.1:{port}"
        live = httpx.get(f"{base}/api/shows", params={"status": "live"}).json()
        assert len(live) == 1 and live[0]["lineup"]
        assert len(httpx.get(f"{base}/api/shows", params={"status": "scheduled"}).json()) >= 2
        show_id = live[0]["id"]
        deadline = started + 40
        chats = pinned = 0
        while time.monotonic() < deadline:
            chats = len(httpx.get(f"{base}/api/shows/{show_id}/chat").json())
            show = httpx.get(f"{base}/api/shows/{show_id}").json()
            pinned = show["pinned"] is not None
            if chats >= 3 and pinned and show["viewers"] >= 5:
                break
            time.sleep(1)
        assert chats >= 3 and pinned, (chats, pinned, log_path.read_text()[-3000:])
        assert show["viewers"] >= 5
        assert httpx.get(f"{base}/shows/{show_id}").status_code == 200
        while len(httpx.get(f"{base}/api/videos").json()["items"]) < 3:  # transcoded clips
            assert time.monotonic() - started < 50, log_path.read_text()[-3000:]
            time.sleep(0.5)
        assert httpx.get(f"{base}/videos").status_code == 200
    finally:
        proc.terminate()
        proc.wait(15)
    assert time.monotonic() - started < 60
