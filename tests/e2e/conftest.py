"""Scale-out fixtures: several real server nodes sharing PostgreSQL and Redis, behind nginx."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
import redis

from hawker.core.ids import new_token
from hawker.infra.nginx import balancer_config
from tests.conftest import LiveServer, _free_port
from tests.databases import PostgresDatabases
from tests.services import need_binary, need_redis


@dataclass
class Cluster:
    nodes: list[LiveServer]
    url: str  # nginx in front of every node
    database_url: str
    redis_prefix: str


def _nginx(tmp_path: Path, nodes: list[LiveServer]) -> tuple[subprocess.Popen[bytes], str]:
    binary = need_binary("nginx", "apt-get install nginx")
    port = _free_port()
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "hawker.conf").write_text(
        balancer_config(listen=f"127.0.0.1:{port}", nodes=[n.url[7:] for n in nodes])
    )
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {prefix}/body; "
        f"proxy_temp_path {prefix}/proxy; include {prefix}/hawker.conf; }}\n"
    )
    proc = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError((prefix / "logs" / "error.log").read_text())


@pytest.fixture
def cluster(
    tmp_path: Path, postgres: PostgresDatabases, live_server: Callable[..., LiveServer]
) -> Iterator[Callable[..., Cluster]]:
    """Factory: ``cluster(2, HAWKER_X="1")`` starts that many nodes on one new PostgreSQL
    database and a Redis key prefix of their own, with nginx balancing them."""
    redis_url = need_redis()
    started: list[tuple[subprocess.Popen[bytes], str]] = []

    def start(count: int = 2, **env: str) -> Cluster:
        database_url = postgres.create()
        prefix = f"t{new_token(6).lower()}:"
        shared = {
            "HAWKER_DATABASE_URL": database_url,
            "HAWKER_REDIS_URL": redis_url,
            "HAWKER_REDIS_PREFIX": prefix,
            "HAWKER_SECRET_KEY": new_token(24),  # one secret for the whole deployment
        }
        nodes = [live_server(**shared, **env) for _ in range(count)]
        proc, url = _nginx(tmp_path / f"cluster{len(started)}", nodes)
        started.append((proc, prefix))
        return Cluster(nodes, url, database_url, prefix)

    yield start
    client = redis.Redis.from_url(redis_url)
    for proc, prefix in started:
        proc.terminate()
        proc.wait(10)
        # Huey keeps only the letters and digits of its queue name in its keys
        for key in client.scan_iter(match=f"*{prefix.rstrip(':')}*"):
            client.delete(key)
    client.close()
