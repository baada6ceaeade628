"""``hawker serve | demo | migrate``."""

from __future__ import annotations

import argparse
import asyncio
import logging

import uvicorn

from hawker.core.config import Settings, get_settings, reference_markdown
from hawker.infra.data_dir_lock import refuse_if_served
from hawker.migrations import upgrade

GRACEFUL_SHUTDOWN_SECONDS = 5


def _serve(settings: Settings, host: str, port: int, workers: int, access_log: bool) -> None:
    if workers > 1 and not settings.redis_url:
        # rooms, flash-deal stock and jobs are shared between processes through Redis only
        raise SystemExit("--workers above 1 needs HAWKER_REDIS_URL (see docs/deploy.md)")
    from hawker.app import ensure_secret

    if not settings.redis_url:
        refuse_if_served(settings.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_secret(settings)  # once, so workers never race to write different secrets
    upgrade(settings.effective_database_url)  # once, before the workers start
    uvicorn.run(
        "hawker.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        ws_ping_interval=20,
        # open streams (leaderboard events) never finish by themselves: cut them so a
        # restart takes seconds; browsers reconnect, to another node behind nginx
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def _media_config(settings: Settings, hawker_url: str, bind: str, write: bool) -> None:
    from hawker.app import ensure_secret
    from hawker.video.media_server import media_config

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_secret(settings)  # the callback URLs are signed with it
    try:
        config = media_config(settings, hawker_url=hawker_url, bind=bind)
        text = config.render()
    except ValueError as e:
        raise SystemExit(f"media-config: {e}") from e
    if not write:
        print(text, end="")
        return
    path = config.write()
    print(f"wrote {path}\nrun: nginx -p {config.prefix} -c {path} -g 'daemon off;'")


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="hawker", description="Hawker live commerce")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("serve", "run the server"), ("demo", "seeded, lively demo")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--host", default=settings.host)
        p.add_argument("--port", type=int, default=settings.port)
    sub.choices["serve"].add_argument(
        "--workers", type=int, default=1, help="server processes (needs HAWKER_REDIS_URL)"
    )
    sub.choices["serve"].add_argument(
        "--no-access-log", dest="access_log", action="store_false", help="log no requests"
    )
    sub.add_parser("migrate", help="create or upgrade the database schema")
    sub.add_parser("config-reference", help="print every HAWKER_* setting as a Markdown table")
    p = sub.add_parser("nginx-config", help="print an nginx config balancing several nodes")
    p.add_argument("--listen", default="8080", help="address:port or port nginx listens on")
    p.add_argument(
        "--node", action="append", required=True, help="a node's host:port (repeat for each)"
    )
    p = sub.add_parser("media-config", help="print or write the nginx RTMP/HLS media server config")
    p.add_argument("--hawker-url", default="", help="where nginx reaches Hawker (default loopback)")
    p.add_argument("--bind", default="0.0.0.0", help="address nginx listens on for RTMP and HLS")
    p.add_argument("--write", action="store_true", help="write DATA_DIR/nginx/nginx.conf")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("hawker").setLevel(logging.INFO)

    if args.command == "migrate":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(settings.effective_database_url)
        print(f"database at {settings.effective_database_url} is up to date")
    elif args.command == "serve":
        _serve(settings, args.host, args.port, args.workers, args.access_log)
    elif args.command == "config-reference":
        print(reference_markdown(), end="")
    elif args.command == "nginx-config":
        from hawker.infra.nginx import balancer_config

        print(balancer_config(listen=args.listen, nodes=args.node))
    elif args.command == "media-config":
        _media_config(settings, args.hawker_url, args.bind, args.write)
    elif args.command == "demo":
        from hawker.sim.demo import run_demo

        asyncio.run(run_demo(args.host, args.port))


if __name__ == "__main__":
    main()
