"""The balancer config ``hawker nginx-config`` prints is accepted by nginx and refuses junk."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hawker.infra.nginx import balancer_config
from tests.services import need_binary


def test_config_lists_every_node_and_upgrades_websockets() -> None:
    conf = balancer_config(listen="127.0.0.1:8080", nodes=["127.0.0.1:8001", "10.0.0.2:8000"])
    assert "server 127.0.0.1:8001 " in conf and "server 10.0.0.2:8000 " in conf
    assert "listen 127.0.0.1:8080;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf


@pytest.mark.parametrize(
    ("listen", "nodes"),
    [("8080", []), ("8080", ["127.0.0.1"]), ("8080", ["a:1; include /etc/x"]), ("x y", ["a:1"])],
)
def test_bad_addresses_are_refused(listen: str, nodes: list[str]) -> None:
    with pytest.raises(ValueError):
        balancer_config(listen=listen, nodes=nodes)


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    nginx = need_binary("nginx", "apt-get install nginx")
    (tmp_path / "hawker.conf").write_text(
        balancer_config(listen="127.0.0.1:18080", nodes=["127.0.0.1:18001", "127.0.0.1:18002"])
    )
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_main_config(tmp_path, tmp_path / "hawker.conf"))
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def nginx_main_config(prefix: Path, include: Path) -> str:
    """A self-contained main config around the printed http-level one, run as any user."""
    (prefix / "logs").mkdir(exist_ok=True)
    return (
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {prefix}/body; "
        f"proxy_temp_path {prefix}/proxy; include {include}; }}\n"
    )
