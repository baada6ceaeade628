"""``hawker serve | demo | migrate``."""

from __future__ import annotations

import argparse
import asyncio
import logging

import uvicorn

from hawker.core.config import get_settings
from hawker.migrations import upgrade


def _serve(host: str, port: int) -> None:
    from hawker.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info", ws_ping_interval=20)


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="hawker", description="Hawker live commerce")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("serve", "run the server"), ("demo", "seeded, lively demo")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--host", default=settings.host)
        p.add_argument("--port", type=int, default=settings.port)
    sub.add_parser("migrate", help="create or upgrade the database schema")
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
        _serve(args.host, args.port)
    elif args.command == "demo":
        from hawker.sim.demo import run_demo

        asyncio.run(run_demo(args.host, args.port))


if __name__ == "__main__":
    main()
