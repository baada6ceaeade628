"""The media server config: nginx accepts what ``hawker media-config`` writes, and junk that
could inject directives is refused."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hawker.core.config import Settings
from hawker.infra.rtmp import RTMP_MODULE, MediaConfig
from hawker.video.media_server import media_config
from tests.services import missing, need_binary


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key="s" * 40, rtmp_port=19351)


def test_config_has_callbacks_with_the_secret_and_low_latency_hls(tmp_path: Path) -> None:
    conf = media_config(_settings(tmp_path), hawker_url="http://10.0.0.5:8000/").render()
    assert "listen 0.0.0.0:19351;" in conf
    assert "on_publish http://10.0.0.5:8000/api/media/rtmp/publish?secret=" in conf
    assert "on_publish_done http://10.0.0.5:8000/api/media/rtmp/publish_done?secret=" in conf
    assert "hls_fragment 1s;" in conf and "hls_nested on;" in conf
    assert "application/vnd.apple.mpegurl m3u8;" in conf
    assert "Access-Control-Allow-Origin *" in conf
    assert f"hls_path {(tmp_path / 'data' / 'hls').resolve()};" in conf


@pytest.mark.parametrize(
    "change",
    [
        {"publish_url": "http://x/cb; include /etc/passwd"},
        {"publish_url": "file:///etc/passwd"},
        {"hls_dir": Path("/tmp/a b")},
        {"prefix": Path("relative")},
        {"rtmp_port": 0},
        {"bind": "0.0.0.0; daemon on"},
    ],
)
def test_junk_is_refused(tmp_path: Path, change: dict[str, object]) -> None:
    good = media_config(_settings(tmp_path))
    fields = good.__dict__ | change
    with pytest.raises(ValueError):
        MediaConfig(**fields).render()  # type: ignore[arg-type]


def test_a_secret_key_is_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        media_config(Settings(data_dir=tmp_path))


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    nginx = need_binary("nginx", "apt-get install nginx libnginx-mod-rtmp")
    if not RTMP_MODULE.exists():
        missing(str(RTMP_MODULE), "apt-get install libnginx-mod-rtmp")
    path = media_config(_settings(tmp_path)).write()
    result = subprocess.run(
        [nginx, "-t", "-p", str(path.parent), "-c", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_cli_prints_and_writes_the_config(tmp_path: Path) -> None:
    env = os.environ | {"HAWKER_DATA_DIR": str(tmp_path)}
    cli = [sys.executable, "-m", "hawker.cli", "media-config"]
    printed = subprocess.run(cli, env=env, capture_output=True, text=True, check=True).stdout
    assert "application live" in printed and "secret=" in printed
    wrote = subprocess.run([*cli, "--write"], env=env, capture_output=True, text=True, check=True)
    assert (tmp_path / "nginx" / "nginx.conf").read_text() == printed
    assert "nginx -p" in wrote.stdout
    bad = subprocess.run([*cli, "--bind", "1.2.3.4;"], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "not an address" in bad.stderr


def test_the_hls_application_records_each_show_for_its_replay(tmp_path: Path) -> None:
    conf = media_config(_settings(tmp_path), hawker_url="http://10.0.0.5:8000").render()
    hls_app = conf[conf.index("application hls") :]
    assert "record all;" in hls_app and "record_unique on;" in hls_app
    assert f"record_path {(tmp_path / 'data' / 'recordings').resolve()};" in hls_app
    assert "on_record_done http://10.0.0.5:8000/api/media/rtmp/record_done?secret=" in hls_app
    live_app = conf[conf.index("application live") : conf.index("application hls")]
    assert "record off;" in live_app  # the key-named stream is never recorded
    fields = media_config(_settings(tmp_path)).__dict__
    with pytest.raises(ValueError):
        MediaConfig(**fields | {"record_done_url": "http://x/cb; include /etc/passwd"}).render()  # type: ignore[arg-type]
    unrecorded = MediaConfig(**fields | {"recordings_dir": None}).render()  # type: ignore[arg-type]
    assert "record all;" not in unrecorded
