"""A load client for bursts over kept-alive HTTP/1.1 connections, cheap enough not to be the
bottleneck it measures.

Written by hand because the general clients cost the load generator as much CPU per request as
the server spends answering it: aiohttp took 260-430 µs of CPU per flash-sale buy (its request
building, JSON encoding, cookie and header machinery, and the garbage its objects leave)
against the server's ~310 µs, on a 2-core machine where client and server share the cores.
Here every request is encoded to bytes before the clock starts, one request is in flight per
connection, and responses are parsed by httptools (the parser uvicorn serves with).
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httptools


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    @classmethod
    def json(cls, method: str, path: str, body: Any, headers: dict[str, str]) -> Request:
        headers = headers | {"Content-Type": "application/json"}
        return cls(method, path, headers, json.dumps(body).encode())

    def encode(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method not in ("GET", "HEAD"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


class _Connection(asyncio.Protocol):
    """One kept-alive connection with at most one request in flight."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.reply: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.reply is not None and not self.reply.done():
            self.reply.set_exception(ConnectionError(f"the server closed the connection: {exc}"))

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:  # httptools callback: the whole body is in
        assert self.reply is not None
        self.reply.set_result(self.parser.get_status_code())

    async def send(self, raw: bytes) -> int:
        assert self.transport is not None
        self.reply = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.reply


class Load:
    """``size`` connections to ``url``; ``burst`` fires a list of requests at once, one per
    connection."""

    def __init__(self, url: str, size: int) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.authority = parts.netloc
        self.size = size
        self._connections: list[_Connection] = []

    async def _connected(self) -> list[_Connection]:
        """Every connection open: the server closes idle kept-alive ones after a few
        seconds, so the closed ones are reopened (before any clock starts)."""
        loop = asyncio.get_running_loop()
        live = [c for c in self._connections if c.transport is not None]
        while len(live) < self.size:
            _, protocol = await loop.create_connection(_Connection, self.host, self.port)
            live.append(protocol)
        self._connections = live
        return live

    async def burst(self, requests: list[Request]) -> tuple[float, list[tuple[int, float]]]:
        """Wall time of the burst, and each request's status and latency, in order.
        The collector is off while the clock runs: its pauses would be the client's, not the
        server's."""
        if len(requests) > self.size:
            raise ValueError(f"{len(requests)} requests for {self.size} connections")
        raws = [r.encode(self.authority) for r in requests]
        connections = await self._connected()
        start = asyncio.Event()

        async def one(conn: _Connection, raw: bytes) -> tuple[int, float]:
            await start.wait()
            t0 = time.perf_counter()
            status = await conn.send(raw)
            return status, time.perf_counter() - t0

        pairs = zip(connections[: len(raws)], raws, strict=True)
        tasks = [asyncio.create_task(one(c, raw)) for c, raw in pairs]
        await asyncio.sleep(0)  # every task waits on the start
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            start.set()
            results = await asyncio.gather(*tasks)
            return time.perf_counter() - t0, list(results)
        finally:
            gc.enable()

    def close(self) -> None:
        for c in self._connections:
            if c.transport is not None:
                c.transport.close()
        self._connections = []
