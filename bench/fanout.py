"""Room fan-out benchmark: one room, N WebSocket viewers, chat and likes at a set rate.

Starts real Hawker nodes (uvicorn, Redis bus; two nodes share one database and Redis) and,
in the same run, a bare ``websockets`` broadcast server per node doing the same job with no
application in the way: the ceiling. Viewers are anonymous and spread evenly over the nodes;
chatters send chat (and likes) over their sockets to the nodes in turn. Every chat carries its
send time, so each viewer measures delivery latency. The last line printed is one JSON object.

    python bench/fanout.py --viewers 1000 --nodes 1 2 --chat-rate 20 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx2 as httpx
import redis
import websockets

from hawker.sim.client import HawkerClient

LIKE_EVERY = 0.5  # the bare server's coalescing period, as Hawker's default


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code in (200, 426):
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{url} did not start")


def start_hawker(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "hawker.app:create_app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    cmd += ["--no-access-log"]
    proc = subprocess.Popen(cmd, env=os.environ | env, stderr=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/healthz", proc)
    return proc, f"http://127.0.0.1:{port}"


def start_ceiling() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--ceiling-server", str(port)])
    wait_up(f"http://127.0.0.1:{port}/", proc)
    return proc, f"http://127.0.0.1:{port}"


async def ceiling_server(port: int) -> None:
    """The ceiling: relay each chat frame to every socket, and like totals each period."""
    viewers: set[Any] = set()
    likes = [0, 0]  # total, total at the last announcement

    seq = [0]

    async def handler(ws: Any) -> None:
        viewers.add(ws)
        try:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "like":
                    likes[0] += message["count"]
                else:  # the event a room sends: built once, the same bytes to everyone
                    seq[0] += 1
                    event = {"type": "chat", "seq": seq[0], "data": {"text": message["text"]}}
                    websockets.broadcast(viewers, json.dumps(event))
        finally:
            viewers.discard(ws)

    async def announce_likes() -> None:
        while True:
            await asyncio.sleep(LIKE_EVERY)
            if likes[0] != likes[1]:
                likes[1] = likes[0]
                websockets.broadcast(viewers, json.dumps({"type": "likes", "data": likes[0]}))

    async with websockets.serve(handler, "127.0.0.1", port, max_queue=1024):
        await announce_likes()


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0  # events of any kind received while chat was being sent
    counting: bool = False


async def viewer(
    http: aiohttp.ClientSession, url: str, tally: Tally, ready: Callable[[], None]
) -> None:
    async with http.ws_connect(url, max_msg_size=0) as ws:
        ready()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            if not tally.counting:
                continue
            tally.delivered += 1
            event = json.loads(msg.data)
            if event["type"] == "chat":
                tally.latencies.append(time.time() - float(event["data"]["text"]))


async def _discard(ws: aiohttp.ClientWebSocketResponse) -> None:
    async for _ in ws:
        pass


async def drive(
    viewer_urls: list[str],
    chatter_urls: list[str],
    *,
    chat_rate: float,
    like_rate: float,
    seconds: float,
) -> Tally:
    """Connect every viewer, then send chat and likes at the set rates for ``seconds``."""
    tally = Tally()
    connected = asyncio.Event()
    joined = [0]

    def ready() -> None:
        joined[0] += 1
        if joined[0] == len(viewer_urls):
            connected.set()

    conn = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=conn) as http:
        gate = asyncio.Semaphore(50)

        async def join(url: str) -> None:
            async with gate:
                task = asyncio.create_task(viewer(http, url, tally, ready))
                tasks.append(task)
                await asyncio.sleep(0.005)

        tasks: list[asyncio.Task[None]] = []
        await asyncio.gather(*(join(u) for u in viewer_urls))
        await asyncio.wait_for(connected.wait(), 120)
        chatters = [await http.ws_connect(u) for u in chatter_urls]
        # Chatters are in the room too: read what they get, or their sockets stall.
        tasks += [asyncio.create_task(_discard(c)) for c in chatters]
        await asyncio.sleep(1.0)  # joins settle (viewer counts are announced)
        tally.counting = True
        started, sent = time.monotonic(), 0
        period = 1 / chat_rate
        while (now := time.monotonic()) < started + seconds:
            chatter = chatters[sent % len(chatters)]
            await chatter.send_str(json.dumps({"type": "chat", "text": repr(time.time())}))
            likes = round(like_rate * period)
            if likes:
                await chatter.send_str(json.dumps({"type": "like", "count": min(likes, 50)}))
            sent += 1
            await asyncio.sleep(max(0.0, started + sent * period - now))
        await asyncio.sleep(1.0)  # let the last events arrive
        tally.counting = False
        for chatter in chatters:
            await chatter.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return tally


async def prepare_room(base: str, chatters: int) -> tuple[int, list[str]]:
    """A host with a live show, and chatters' tokens (viewers stay anonymous)."""
    tag = uuid.uuid4().hex[:8]
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        host = HawkerClient(http)
        await host.sign_up(f"host-{tag}@example.com", "fanout-password", "Host", ["host"])
        show = await host.call(
            "POST",
            "/api/shows",
            json={"title": "Fan-out", "scheduled_start": "2026-01-01T00:00:00Z"},
        )
        await host.call("POST", f"/api/shows/{show['id']}/start")
        tokens = []
        for i in range(chatters):
            c = HawkerClient(http)
            await c.sign_up(f"chatter{i}-{tag}@example.com", "fanout-password", "C", ["shopper"])
            tokens.append(c.token)
    return int(show["id"]), tokens


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def summary(tally: Tally, seconds: float) -> dict[str, float]:
    return {
        "delivered_per_s": round(tally.delivered / seconds, 1),
        "p50_ms": round(pct(tally.latencies, 50), 1),
        "p99_ms": round(pct(tally.latencies, 99), 1),
        "chat_received": len(tally.latencies),
    }


def run_case(args: argparse.Namespace, nodes: int, workdir: Path) -> dict[str, Any]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / f'n{nodes}.sqlite3'}"
    env = {
        "HAWKER_DATABASE_URL": database_url,
        "HAWKER_REDIS_URL": args.redis_url,
        "HAWKER_REDIS_PREFIX": prefix,
        "HAWKER_ARGON2_TIME_COST": "1",
        "HAWKER_ARGON2_MEMORY_KIB": "64",
        "HAWKER_CHAT_RATE_PER_10S": "1000000",  # chatters here are load, not people
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        bases = []
        for n in range(nodes):  # one after another: each runs the migrations at start
            proc, base = start_hawker(env | {"HAWKER_DATA_DIR": str(workdir / f"n{nodes}-{n}")})
            procs.append(proc)
            bases.append(base)
        show_id, tokens = asyncio.run(prepare_room(bases[0], args.chatters))

        def ws(base: str) -> str:
            return base.replace("http", "ws", 1) + f"/ws/shows/{show_id}"

        def on(i: int) -> str:
            return ws(bases[i % nodes])

        viewers = [on(i) for i in range(args.viewers)]
        chatters = [on(i) + f"?token={t}" for i, t in enumerate(tokens)]
        hawker = asyncio.run(
            drive(
                viewers,
                chatters,
                chat_rate=args.chat_rate,
                like_rate=args.like_rate,
                seconds=args.seconds,
            )
        )
        for proc in procs:
            proc.terminate()
            proc.wait(10)
        procs.clear()

        ceilings = []
        for _ in range(nodes):
            proc, base = start_ceiling()
            procs.append(proc)
            ceilings.append(base.replace("http", "ws", 1))
        bare = asyncio.run(
            drive(
                [ceilings[i % nodes] for i in range(args.viewers)],
                # A bare server relays only to its own viewers: one chatter per server, each
                # at the full rate, so every viewer gets the same chat rate as on Hawker.
                ceilings,
                chat_rate=args.chat_rate * nodes,
                like_rate=args.like_rate * nodes,
                seconds=args.seconds,
            )
        )
    finally:
        for proc in procs:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
        client = redis.Redis.from_url(args.redis_url)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
    ours, ceiling = summary(hawker, args.seconds), summary(bare, args.seconds)
    ceiling_per_s = ceiling["delivered_per_s"]
    return {
        "nodes": nodes,
        "viewers": args.viewers,
        "chat_per_s": args.chat_rate,
        "likes_per_s": args.like_rate,
        "delivered_per_s": ours["delivered_per_s"],
        "ceiling_delivered_per_s": ceiling_per_s,
        "ratio": round(ours["delivered_per_s"] / ceiling_per_s, 3) if ceiling_per_s else 0.0,
        "p50_ms": ours["p50_ms"],
        "p99_ms": ours["p99_ms"],
        "ceiling_p50_ms": ceiling["p50_ms"],
        "ceiling_p99_ms": ceiling["p99_ms"],
        "chat_received": ours["chat_received"],
        "chat_expected": int(args.chat_rate * args.seconds * args.viewers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2], choices=[1, 2])
    parser.add_argument("--chat-rate", type=float, default=20.0, help="chat messages per s")
    parser.add_argument("--like-rate", type=float, default=100.0, help="likes per s")
    parser.add_argument("--chatters", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument(
        "--database-url",
        default="",
        help="shared by every node (default: one SQLite file for all nodes of a case)",
    )
    parser.add_argument("--ceiling-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ceiling_server:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(ceiling_server(args.ceiling_server))
        return
    with tempfile.TemporaryDirectory(prefix="hawker-fanout-") as tmp:
        rows = [run_case(args, nodes, Path(tmp)) for nodes in args.nodes]
    keys = ["nodes", "viewers", "delivered_per_s", "ceiling_delivered_per_s", "ratio"]
    keys += ["p50_ms", "p99_ms", "ceiling_p99_ms", "chat_received", "chat_expected"]
    print("".join(f"{k:>24}" for k in keys))
    for row in rows:
        print("".join(f"{row[k]!s:>24}" for k in keys))
    # The headline is the largest deployment measured; every case is under "cases".
    print(json.dumps(rows[-1] | {"cases": rows}))


if __name__ == "__main__":
    main()
