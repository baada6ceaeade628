"""Real video end to end: ffmpeg publishes a test pattern to nginx-rtmp (started by the test
with Hawker's template), Hawker's callbacks take the show live, and the room's ``<video>``
in Chromium plays it (its currentTime advances). Stopping the encoder ends the show."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from hawker.core.config import Settings
from hawker.infra.rtmp import RTMP_MODULE, MediaServer, pattern_command
from hawker.video.media_server import media_config
from tests.conftest import LiveServer, _free_port
from tests.services import missing, need_binary
from tests.web.conftest import DESKTOP, PHONE, Market, build_market, log_in


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Stack:
    """Hawker, nginx with Hawker's template, and a market with a scheduled show."""

    def __init__(self, server: LiveServer, rtmp_port: int, hls_port: int) -> None:
        self.server, self.rtmp_port = server, rtmp_port
        settings = Settings(
            data_dir=server.data_dir,
            secret_key=(server.data_dir / "secret_key").read_text().strip(),
            port=server.port,
            rtmp_port=rtmp_port,
            hls_port=hls_port,
        )
        self.media = MediaServer(media_config(settings, bind="127.0.0.1"))
        self.media.start()
        self.market: Market = build_market(server.url, start=False)
        self.show_id: int = self.market.show["id"]
        self.encoders: list[subprocess.Popen[bytes]] = []

    def key(self) -> str:
        key: str = self.market.host("GET", f"/api/shows/{self.show_id}/stream")["stream_key"]
        return key

    def publish(self, key: str, seconds: float) -> subprocess.Popen[bytes]:
        url = f"rtmp://127.0.0.1:{self.rtmp_port}/live/{key}"
        proc = subprocess.Popen(pattern_command(url, seconds=seconds), stderr=subprocess.PIPE)
        self.encoders.append(proc)
        return proc

    def show(self) -> dict[str, Any]:
        shown: dict[str, Any] = httpx.get(f"{self.server.url}/api/shows/{self.show_id}").json()
        return shown

    def close(self) -> None:
        for proc in self.encoders:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
            if proc.stderr:
                proc.stderr.close()
        self.media.stop()
        self.market.close()


@pytest.fixture
def stack(live_server: Callable[..., LiveServer]) -> Iterator[Stack]:
    need_binary("ffmpeg", "apt-get install ffmpeg")
    need_binary("nginx", "apt-get install nginx libnginx-mod-rtmp")
    if not RTMP_MODULE.exists():
        missing(str(RTMP_MODULE), "apt-get install libnginx-mod-rtmp")
    rtmp_port, hls_port = _free_port(), _free_port()
    server = live_server(HAWKER_RTMP_PORT=str(rtmp_port), HAWKER_HLS_PORT=str(hls_port))
    made = Stack(server, rtmp_port, hls_port)
    yield made
    made.close()
    print(made.media.logs()[-2000:])  # shown by pytest only when the test failed


def test_wrong_key_is_dropped_by_nginx(stack: Stack) -> None:
    key = stack.key()
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    encoder = stack.publish(wrong, seconds=20)
    assert encoder.wait(15) != 0  # nginx hung up on it
    assert stack.show()["status"] == "scheduled"
    assert not (stack.server.data_dir / "hls" / f"show-{stack.show_id}").exists()


@pytest.mark.browser
@pytest.mark.slow
def test_room_plays_the_stream_and_ends_with_it(
    stack: Stack, browser: Any, shoot: Callable[..., Path]
) -> None:
    encoder = stack.publish(stack.key(), seconds=60)
    live = wait_for(lambda: (s := stack.show())["status"] == "live" and s, "the show to go live")
    playlist = live["hls_url"]
    assert playlist.endswith(f"/hls/show-{stack.show_id}/index.m3u8")
    assert str(stack.key()) not in playlist
    first = wait_for(
        lambda: (r := httpx.get(playlist)).status_code == 200 and "#EXTINF" in r.text and r,
        "nginx to write the playlist",
    )
    assert first.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert first.headers["access-control-allow-origin"] == "*"

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{stack.server.url}/shows/{stack.show_id}")
        page.wait_for_function("document.getElementById('video').currentTime > 1", timeout=30000)
        before = page.evaluate("document.getElementById('video').currentTime")
        time.sleep(2.5)
        after = page.evaluate("document.getElementById('video').currentTime")
        assert after > before + 1.5, (before, after)
        assert page.get_attribute("#media", "data-video") == "playing"
        assert page.is_hidden("#video-state")
        shoot(page, "video-room-live")

        encoder.terminate()  # the host stops streaming: nginx says publish_done
        encoder.wait(10)
        wait_for(lambda: stack.show()["status"] == "ended", "the show to end")
        page.wait_for_selector("#state-ended", state="visible", timeout=10000)
        assert page.get_attribute("#media", "data-video") == "idle"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_room_waits_for_video_then_plays_it(
    stack: Stack, browser: Any, shoot: Callable[..., Path]
) -> None:
    stack.market.host("POST", f"/api/shows/{stack.show_id}/start")  # live, no encoder yet
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{stack.server.url}/shows/{stack.show_id}")
        page.wait_for_selector("#video-state", state="visible")
        assert "Waiting for Mia Chen" in page.inner_text("#video-state")
        assert page.is_visible(".stage-media img")  # the poster, not a black box
        shoot(page, "video-room-waiting")
        stack.publish(stack.key(), seconds=60)
        page.wait_for_function("document.getElementById('video').currentTime > 1", timeout=30000)
        page.wait_for_selector("#video-state", state="hidden")
        shoot(page, "video-room-desktop")
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_studio_reveals_rotates_and_shows_video_arriving(
    stack: Stack, browser: Any, shoot: Callable[..., Path]
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    studio = f"/studio/shows/{stack.show_id}"
    try:
        log_in(page, stack.server.url, stack.market.host_email, studio)
        key = stack.key()
        assert key not in page.content()  # not in the page until revealed
        assert page.get_attribute("#stream-key", "type") == "password"
        assert page.input_value("#rtmp-url") == f"rtmp://127.0.0.1:{stack.rtmp_port}/live"
        assert page.text_content("#video-status") == "No video yet"
        page.click("#reveal-key")
        page.wait_for_function(f"document.getElementById('stream-key').value === '{key}'")
        assert page.get_attribute("#stream-key", "type") == "text"

        encoder = stack.publish(key, seconds=60)
        # the encoder took the show live: the studio re-renders with live controls
        page.wait_for_function(
            "document.getElementById('status-badge').textContent.trim() === 'live' &&"
            " document.getElementById('video-status').textContent.includes('arriving')",
            timeout=20000,
        )
        assert page.get_attribute("#stream-key", "type") == "password"  # hidden again
        assert stack.show()["status"] == "live"
        shoot(page, "video-studio-live")

        page.click("#rotate-key")
        page.wait_for_function(
            f"(v => /^[0-9]+-/.test(v) && v !== '{key}')"
            "(document.getElementById('stream-key').value)"
        )
        assert page.text_content("#video-status") == "No video"
        assert encoder.wait(15) is not None  # nginx dropped the old key's encoder
        assert stack.show()["status"] == "live"  # the host reconnects with the new key
        new_key = page.input_value("#stream-key")
        assert new_key == stack.key() != key
        stack.publish(new_key, seconds=60)
        page.wait_for_function(
            "document.getElementById('video-status').textContent.includes('arriving')",
            timeout=20000,
        )
    finally:
        context.close()
