"""`hawker demo` goes live for real: within seconds its live show's playlist has video."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from hawker.infra.rtmp import RTMP_MODULE
from tests.conftest import _free_port
from tests.services import missing, need_binary


@pytest.mark.slow
def test_demo_streams_a_test_pattern_into_its_live_show(tmp_path: Path) -> None:
    need_binary("ffmpeg", "apt-get install ffmpeg")
    need_binary("nginx", "apt-get install nginx libnginx-mod-rtmp")
    if not RTMP_MODULE.exists():
        missing(str(RTMP_MODULE), "apt-get install libnginx-mod-rtmp")
    port, rtmp, hls = _free_port(), _free_port(), _free_port()
    env = os.environ | {
        "HAWKER_DATA_DIR": str(tmp_path),
        "HAWKER_RTMP_PORT": str(rtmp),
        "HAWKER_HLS_PORT": str(hls),
    }
    log_path = tmp_path / "demo.log"
    started = time.monotonic()
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
        assert f"rtmp://127.0.0.1:{rtmp}/live" in text, text
        print(f"demo banner {time.monotonic() - started:.1f} s after launch")
        base = f"http://127.0.0.1:{port}"
        show = httpx.get(f"{base}/api/shows", params={"status": "live"}).json()[0]
        playlist = show["hls_url"]
        assert playlist == f"http://127.0.0.1:{hls}/hls/show-{show['id']}/index.m3u8"
        segments = 0
        while time.monotonic() - started < 40 and segments < 2:
            r = httpx.get(playlist)
            segments = r.text.count("#EXTINF") if r.status_code == 200 else 0
            time.sleep(0.3)
        assert segments >= 2, log_path.read_text()[-3000:]
        print(f"demo video playing {time.monotonic() - started:.1f} s after launch")
        # a second, short show is streamed, recorded and made into a replay with two moments
        [replay_page] = re.findall(r"Replay +(\S+)", text)
        replay_url = replay_page.replace(base, base + "/api")  # /api/shows/ID/replay
        replay = httpx.get(replay_url)
        while replay.status_code == 404 and time.monotonic() - started < 90:
            time.sleep(0.5)
            replay = httpx.get(replay_url)
        assert replay.status_code == 200, log_path.read_text()[-3000:]
        assert len(replay.json()["moments"]) == 2
        assert httpx.get(replay_page).status_code == 200
        print(f"demo replay ready {time.monotonic() - started:.1f} s after launch")
    finally:
        proc.terminate()
        proc.wait(15)
    pid_file = tmp_path / "demo" / "nginx" / "nginx.pid"
    assert not pid_file.exists(), "the demo left nginx running"
