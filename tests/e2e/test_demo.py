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
        _supply_side_moves(base, started, log_path)
        feed = [x["title"] for x in httpx.get(f"{base}/api/feed").json()]
        assert feed[len(feed) // 2] == "Live now", feed  # live commerce has the middle
    finally:
        proc.terminate()
        proc.wait(15)
    assert time.monotonic() - started < 120


def _supply_side_moves(base: str, started: float, log_path: Path) -> None:
    """The demo seeds tiers and an MCN roster, its audience moves the leaderboard, and a host's
    affiliate link sells."""
    assert [t["name"] for t in httpx.get(f"{base}/api/tiers").json()] == [
        "Bronze", "Silver", "Gold", "Platinum"
    ]  # fmt: skip

    def signed_in(email: str) -> dict[str, str]:
        r = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": "hawker-demo"})
        return {"Authorization": f"Bearer {r.json()['token']}"}

    roster = httpx.get(f"{base}/api/mcn/roster", headers=signed_in("mcn@demo.hawker.dev"))
    assert [h["name"] for h in roster.json()] == ["Leo Park", "Mia Chen"]
    ana = signed_in("ana@demo.hawker.dev")
    while [(x["clicks"], x["orders"]) for x in httpx.get(
        f"{base}/api/affiliate-links", headers=ana
    ).json()] != [(1, 1)]:  # fmt: skip
        assert time.monotonic() - started < 110, log_path.read_text()[-3000:]
        time.sleep(1)

    def board() -> dict[str, int]:
        entries = httpx.get(f"{base}/api/leaderboards/hosts").json()["entries"]
        return {e["name"]: e["gmv"] for e in entries}

    first = board()
    while (now := board()).get("Mia Chen", 0) <= first.get("Mia Chen", 0) or len(now) < 3:
        assert time.monotonic() - started < 110, (first, now, log_path.read_text()[-3000:])
        time.sleep(1)
