"""nginx with the RTMP module: the media server config ``hawker media-config`` writes, and a
runner for the demo and tests.

Hosts publish to ``rtmp://HOST/live/STREAM_KEY``. nginx asks Hawker (``on_publish``) whether the
key is good; Hawker answers with a redirect to ``rtmp://127.0.0.1:PORT/hls/show-ID``, which
nginx turns into a local relay into the ``hls`` application. So the secret key never appears in
a playlist URL: viewers fetch ``/hls/show-ID/index.m3u8``. (nginx-rtmp can also rename a stream
on a redirect, but its HLS writer keeps the original name, so the relay is the way that works.)
The ``hls`` application also records each show, and tells Hawker (``on_record_done``) when a
recording is closed, so the show gets its replay.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

import httpx2 as httpx

log = logging.getLogger(__name__)
RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
INSTALL_HINT = "apt-get install nginx libnginx-mod-rtmp ffmpeg"
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/\-]+$")
_SAFE_URL = re.compile(
    r"^https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._/\-]*)?(\?[A-Za-z0-9=&_\-]*)?$"
)
_SAFE_HOST = re.compile(r"^([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\])$")

_TEMPLATE = Template(
    """\
# Hawker media server: RTMP ingest, HLS packaging and HLS over HTTP.
# Run: nginx -p $prefix -c $prefix/nginx.conf   (add -g 'daemon off;' to keep it in front)
load_module $module;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 1024; }

rtmp {
    server {
        listen $bind:$rtmp_port;
        chunk_size 4096;

        # Hosts publish here with their stream key; Hawker checks it and relays the stream
        # to the hls application under the show's public name.
        application live {
            live on;
            record off;
            deny play all;
            notify_method post;
            on_publish $publish_url;
            on_publish_done $publish_done_url;
        }

        # Only nginx's own relays publish here; viewers watch HLS, never RTMP.
        application hls {
            live on;
$record
            allow publish 127.0.0.1;
            deny publish all;
            deny play all;
            hls on;
            hls_path $hls_dir;
            hls_nested on;
            # Short fragments and a short playlist: a few seconds from camera to screen.
            hls_fragment 1s;
            hls_playlist_length 6s;
            hls_cleanup on;
        }
    }
}

http {
    access_log off;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    types {
        application/vnd.apple.mpegurl m3u8;
        video/mp2t ts;
    }
    server {
        listen $bind:$hls_port;
        location /hls/ {
            alias $hls_dir/;
            # Playlists change every second; players on other origins (the Hawker pages) read them.
            add_header Cache-Control no-cache always;
            add_header Access-Control-Allow-Origin * always;
            add_header Access-Control-Expose-Headers Content-Length always;
        }
        # Hawker drops the encoder of a rotated key here (loopback only).
        location /control/ {
            rtmp_control all;
            allow 127.0.0.1;
            deny all;
        }
    }
}
"""
)


@dataclass(frozen=True)
class MediaConfig:
    prefix: Path  # nginx's own folder: pid, logs, temp files, the config itself
    hls_dir: Path
    rtmp_port: int
    hls_port: int
    publish_url: str  # Hawker's on_publish callback, with its shared secret
    publish_done_url: str
    bind: str = "0.0.0.0"
    module: Path = RTMP_MODULE
    # Replays: where the hls application records each show, and Hawker's callback for a
    # finished recording. Without both, nothing is recorded.
    recordings_dir: Path | None = None
    record_done_url: str = ""

    def render(self) -> str:
        recordings = [self.recordings_dir] if self.recordings_dir else []
        for path in (self.prefix, self.hls_dir, self.module, *recordings):
            if not _SAFE_PATH.match(str(path)):
                raise ValueError(f"{str(path)!r} must be an absolute path without spaces or ;")
        callbacks = [self.publish_url, self.publish_done_url, self.record_done_url]
        for url in filter(None, callbacks):
            if not _SAFE_URL.match(url):
                raise ValueError(f"{url!r} is not a plain http(s) URL")
        for port in (self.rtmp_port, self.hls_port):
            if not 1 <= port <= 65535:
                raise ValueError(f"{port} is not a port number")
        if not _SAFE_HOST.match(self.bind):
            raise ValueError(f"{self.bind!r} is not an address")
        return _TEMPLATE.substitute(
            prefix=self.prefix,
            module=self.module,
            hls_dir=self.hls_dir,
            rtmp_port=self.rtmp_port,
            hls_port=self.hls_port,
            publish_url=self.publish_url,
            publish_done_url=self.publish_done_url,
            bind=self.bind,
            record=self._record_block(),
        )

    def _record_block(self) -> str:
        if self.recordings_dir is None or not self.record_done_url:
            return "            record off;"
        # One FLV per relayed publish, named show-ID-UNIXTIME.flv (record_unique), so a show
        # whose encoder reconnected leaves several recordings rather than one overwritten.
        return (
            "            record all;\n"
            f"            record_path {self.recordings_dir};\n"
            "            record_unique on;\n"
            "            notify_method post;\n"
            f"            on_record_done {self.record_done_url};"
        )

    def write(self) -> Path:
        """Create nginx's folders and write ``prefix/nginx.conf``."""
        text = self.render()
        recordings = [self.recordings_dir] if self.recordings_dir else []
        for folder in (self.prefix / "logs", self.prefix / "tmp", self.hls_dir, *recordings):
            folder.mkdir(parents=True, exist_ok=True)
        path = self.prefix / "nginx.conf"
        path.write_text(text)
        return path


async def drop_publisher(control_url: str, name: str) -> bool:
    """Ask nginx (its rtmp_control endpoint) to disconnect whoever publishes ``name`` to the
    live application. Best effort: False when nginx is unreachable or had no such publisher."""
    try:
        async with httpx.AsyncClient(timeout=3) as http:
            r = await http.get(
                f"{control_url}/drop/publisher", params={"app": "live", "name": name}
            )
    except httpx.HTTPError as e:
        log.warning("could not reach the media server to drop a publisher: %s", e)
        return False
    return r.status_code == 200 and r.text.strip() not in ("", "0")


def missing_tools() -> list[str]:
    """What ``hawker demo`` and the video tests need and this machine lacks."""
    lacking = [tool for tool in ("ffmpeg", "nginx") if _which(tool) is None]
    if not RTMP_MODULE.exists():
        lacking.append(f"the nginx RTMP module ({RTMP_MODULE})")
    return lacking


def tied_to_us(argv: list[str]) -> list[str]:
    """``argv`` wrapped so the child gets SIGTERM when this process dies, however it dies
    (uvicorn re-raises SIGTERM after its shutdown, before any ``finally`` of ours). Spawn it
    from the main thread: the kernel ties it to the spawning thread."""
    setpriv = shutil.which("setpriv")  # util-linux; without it, callers' cleanup must do
    return [setpriv, "--pdeathsig", "TERM", "--", *argv] if setpriv else argv


def _which(tool: str) -> str | None:
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")


class MediaServer:
    """nginx in the foreground as a child process, with its own prefix (runs as any user)."""

    def __init__(self, config: MediaConfig) -> None:
        self.config = config
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> None:
        nginx = _which("nginx")
        if nginx is None:
            raise RuntimeError(f"nginx is not installed ({INSTALL_HINT})")
        conf = self.config.write()
        # As root nginx would drop its workers to "nobody", who cannot write the HLS folder.
        globals_ = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        self.proc = subprocess.Popen(
            tied_to_us([nginx, "-p", str(self.config.prefix), "-c", str(conf), "-g", globals_]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while not all(_listening(p) for p in (self.config.rtmp_port, self.config.hls_port)):
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"nginx exited: {err.strip()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("nginx did not open its ports in time")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def logs(self) -> str:
        path = self.config.prefix / "logs" / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def pattern_command(rtmp_url: str, *, seconds: float | None = None) -> list[str]:
    """ffmpeg pushing a moving test pattern with a clock into ``rtmp_url``: H.264 baseline,
    zero-latency tuning and a key frame every second, so each 1 s HLS fragment starts on one."""
    ffmpeg = _which("ffmpeg") or "ffmpeg"
    duration = ["-t", str(seconds)] if seconds else []
    clock = (
        "drawtext=text='%{localtime\\:%H\\\\\\:%M\\\\\\:%S}':fontcolor=white:fontsize=44:"
        "box=1:boxcolor=black@0.55:boxborderw=12:x=(w-tw)/2:y=(h-th)/2"
    )
    return [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=540x960:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=44100",
        *duration,
        "-vf",
        clock,
        "-c:v",
        "libx264",
        "-profile:v",
        "baseline",
        "-preset",
        "veryfast",
        "-tune",
        "zerolatency",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "25",
        "-keyint_min",
        "25",
        "-b:v",
        "900k",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-f",
        "flv",
        rtmp_url,
    ]
