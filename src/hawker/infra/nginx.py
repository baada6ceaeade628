"""nginx in front of several Hawker nodes: the http-level config ``hawker nginx-config`` prints.

Any node can serve any request: sessions live in the database and rooms on the Redis bus, so
the balancer needs no stickiness. WebSockets are upgraded and kept open for long-lived rooms.
"""

from __future__ import annotations

import re
from string import Template

_ADDRESS = re.compile(r"^([A-Za-z0-9.\-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$")

_TEMPLATE = Template(
    """\
# Hawker: $count node(s) behind one nginx. Include this file inside the http block
# (e.g. /etc/nginx/conf.d/hawker.conf) and run `nginx -t && nginx -s reload`.
upstream hawker_nodes {
    least_conn;
$servers
    keepalive 64;
}

map $$http_upgrade $$hawker_connection {
    default upgrade;
    ''      '';
}

server {
    listen $listen;
    client_max_body_size 64m;

    location / {
        proxy_pass http://hawker_nodes;
        proxy_http_version 1.1;
        proxy_set_header Host $$host;
        proxy_set_header X-Forwarded-For $$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $$scheme;
        proxy_set_header Upgrade $$http_upgrade;
        proxy_set_header Connection $$hawker_connection;
        # rooms stay open for hours; the server pings every 20 s
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
        proxy_buffering off;
        # a node that refuses or drops the connection is skipped for 10 s; nginx never
        # re-sends a POST to another node (no double orders from the balancer)
        proxy_next_upstream error timeout;
    }
}
"""
)


def balancer_config(*, listen: str, nodes: list[str]) -> str:
    """The config for ``nodes`` ("host:port" each), nginx listening on ``listen``."""
    if not nodes:
        raise ValueError("give at least one node")
    for address in [*nodes, listen if ":" in listen else f"x:{listen}"]:
        if not _ADDRESS.match(address):
            raise ValueError(f"{address!r} is not host:port")
    servers = "\n".join(f"    server {node} max_fails=1 fail_timeout=10s;" for node in nodes)
    return _TEMPLATE.substitute(count=len(nodes), servers=servers, listen=listen)
