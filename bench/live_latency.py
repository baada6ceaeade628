"""Live video latency through Hawker's ingest path, beside nginx alone.

Starts a Hawker server and nginx from Hawker's media template, then publishes an ffmpeg test
pattern (real time, 1 s key frames) twice, one after the other:

- pipeline: to ``live/STREAM_KEY`` (Hawker's on_publish check, the show goes live, relay to
  ``hls/show-ID``), the path a host's encoder takes;
- ceiling: straight into the ``hls`` application from loopback (no callback, no relay), the
  best nginx can do on this machine in this run.

For each it records the start-up (encoder launch to the first fragment listed in the playlist)
and the edge delay (how long after the encoder finished a fragment's last frame the fragment
is listed). A player starts two fragments behind the edge, so what a viewer sees is about
edge delay + 2 s. The last line printed is one JSON object.

    python bench/live_latency.py --seconds 12
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

from hawker.core.config import Settings
from hawker.infra.rtmp import MediaServer, missing_tools, pattern_command
from hawker.video.media_server import media_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_hawker(data_dir: Path, rtmp: int, hls: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = os.environ | {
        "HAWKER_DATA_DIR": str(data_dir),
        "HAWKER_ARGON2_TIME_COST": "1",
        "HAWKER_ARGON2_MEMORY_KIB": "64",
        "HAWKER_PORT": str(port),
        "HAWKER_RTMP_PORT": str(rtmp),
        "HAWKER_HLS_PORT": str(hls),
    }
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "hawker.app:create_app"]
    cmd += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("Hawker did not start")


def host_show(base: str) -> tuple[int, str]:
    signup = {"email": "host@bench.dev", "password": "correct horse battery"}
    signup |= {"display_name": "Bench", "roles": ["host"]}
    token = httpx.post(f"{base}/api/auth/signup", json=signup).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    show = {"title": "Latency", "scheduled_start": "2026-01-01T10:00:00Z"}
    show_id = httpx.post(f"{base}/api/shows", json=show, headers=auth).json()["id"]
    key = httpx.get(f"{base}/api/shows/{show_id}/stream", headers=auth).json()["stream_key"]
    return show_id, key


def measure(rtmp_url: str, playlist: str, seconds: float) -> dict[str, float]:
    """Publish for ``seconds``; watch the playlist every 50 ms."""
    launched = time.monotonic()
    encoder = subprocess.Popen(pattern_command(rtmp_url, seconds=seconds))
    listed: dict[str, float] = {}  # fragment URI -> when first listed
    durations: dict[str, float] = {}
    order: list[str] = []
    while encoder.poll() is None:
        try:
            r = httpx.get(playlist, timeout=1)
        except httpx.HTTPError:
            r = None
        now = time.monotonic()
        if r is not None and r.status_code == 200:
            lines = r.text.splitlines()
            for i, line in enumerate(lines):
                if line.startswith("#EXTINF:") and i + 1 < len(lines):
                    uri = lines[i + 1]
                    if uri not in listed:
                        listed[uri], durations[uri] = now, float(line[8:].split(",")[0])
                        order.append(uri)
        time.sleep(0.05)
    if not order:
        raise SystemExit(f"no fragment was ever listed at {playlist}")
    # the first frame leaves the encoder about when the first fragment's clock starts; take
    # the fastest plausible start (launch) so delays are an upper bound, the same for both runs
    media_end, delays = 0.0, []
    for uri in order:
        media_end += durations[uri]
        delays.append(listed[uri] - launched - media_end)
    return {
        "startup_s": listed[order[0]] - launched,
        "edge_delay_s": statistics.median(delays[1:] or delays),
        "fragments": len(order),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    args = parser.parse_args()
    if missing := missing_tools():
        raise SystemExit(f"needs {', '.join(missing)}")
    rtmp, hls = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        server, port = start_hawker(data, rtmp, hls)
        settings = Settings(
            data_dir=data,
            secret_key=(data / "secret_key").read_text().strip(),
            port=port,
            rtmp_port=rtmp,
            hls_port=hls,
        )
        media = MediaServer(media_config(settings, bind="127.0.0.1"))
        media.start()
        try:
            show_id, key = host_show(f"http://127.0.0.1:{port}")
            base = f"http://127.0.0.1:{hls}/hls"
            pipeline = measure(
                f"rtmp://127.0.0.1:{rtmp}/live/{key}",
                f"{base}/show-{show_id}/index.m3u8",
                args.seconds,
            )
            ceiling = measure(
                f"rtmp://127.0.0.1:{rtmp}/hls/ceiling", f"{base}/ceiling/index.m3u8", args.seconds
            )
        finally:
            media.stop()
            server.terminate()
            server.wait(10)
    rows: list[tuple[str, dict[str, Any]]] = [("pipeline", pipeline), ("ceiling", ceiling)]
    print(f"{'path':<10} {'start-up s':>11} {'edge delay s':>13} {'fragments':>10}")
    for name, r in rows:
        print(f"{name:<10} {r['startup_s']:>11.2f} {r['edge_delay_s']:>13.2f} {r['fragments']:>10}")
    result = {
        "seconds": args.seconds,
        "pipeline_startup_s": round(pipeline["startup_s"], 3),
        "ceiling_startup_s": round(ceiling["startup_s"], 3),
        "pipeline_edge_delay_s": round(pipeline["edge_delay_s"], 3),
        "ceiling_edge_delay_s": round(ceiling["edge_delay_s"], 3),
        "startup_ratio": round(ceiling["startup_s"] / pipeline["startup_s"], 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
