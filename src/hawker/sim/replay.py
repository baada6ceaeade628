"""The demo's replay: a short second show streamed through the demo's media server while its
host pins two products, so nginx records it and Hawker makes its replay exactly as for any
host's show (publish_done ends the show, record_done queues the job, the job makes the MP4)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from datetime import timedelta

import httpx2 as httpx

from hawker.core.clock import utcnow
from hawker.sim.broadcast import DemoBroadcast
from hawker.sim.catalogue import HOSTS, PASSWORD, PRODUCTS, REPLAY_SHOW
from hawker.sim.client import HawkerClient

log = logging.getLogger(__name__)
STREAM_SECONDS = 16.0
FIRST_PIN_AFTER = 3.0  # seconds of video before the first pin, and between pins
PIN_EVERY = 6.0


class DemoReplay:
    def __init__(self, http: httpx.AsyncClient, broadcast: DemoBroadcast) -> None:
        self.http, self.broadcast = http, broadcast
        self.host = HawkerClient(http)
        self.show_id = 0
        self.products: list[int] = []

    async def create(self) -> int | None:
        """The show to be recorded; None (said in the log) when the demo has no media server."""
        if self.broadcast.media is None:
            log.info("no replay in the demo: the media server is not running")
            return None
        host, title, cover, lineup = REPLAY_SHOW
        await self.host.log_in(HOSTS[host]["email"], PASSWORD)
        products = await self.host.call("GET", "/api/products?limit=100")
        by_title = {p["title"]: p["id"] for p in products}
        self.products = [by_title[PRODUCTS[i][1]] for i in lineup]
        show = await self.host.call(
            "POST",
            "/api/shows",
            json={
                "title": title,
                "cover_url": f"/static/demo/{cover}.svg",
                "scheduled_start": (utcnow() - timedelta(minutes=30)).isoformat(),
                "product_ids": self.products,
            },
        )
        self.show_id = show["id"]
        return self.show_id

    async def run(self) -> None:
        """Stream for a few seconds, pinning each product in turn; the replay follows."""
        stream = await self.host.call("GET", f"/api/shows/{self.show_id}/stream")
        encoder = self.broadcast.push_clip(stream["stream_key"], STREAM_SECONDS)
        if encoder is None:
            return
        while (await self.host.call("GET", f"/api/shows/{self.show_id}"))["status"] != "live":
            if encoder.poll() is not None:
                log.warning("the demo replay's encoder stopped before the show went live")
                return
            await asyncio.sleep(0.2)
        await asyncio.sleep(FIRST_PIN_AFTER)
        for product_id in self.products:
            path = f"/api/shows/{self.show_id}/pin"
            await self.host.call("POST", path, json={"product_id": product_id})
            await asyncio.sleep(PIN_EVERY)
        await asyncio.to_thread(_wait, encoder)


def _wait(encoder: subprocess.Popen[bytes]) -> None:
    encoder.wait()
