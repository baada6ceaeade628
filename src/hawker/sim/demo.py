"""``hawker demo``: a fresh, seeded, lively marketplace on the embedded default.

Everything is created through the public API (the operator, which cannot self-register, through
the trusted service path), so the demo exercises the same code shoppers and hosts do.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from datetime import timedelta
from typing import Any

import httpx2 as httpx
import uvicorn

from hawker.accounts import service as accounts_service
from hawker.app import create_app
from hawker.core.clock import utcnow
from hawker.core.config import Settings, get_settings
from hawker.infra.data_dir_lock import refuse_if_served
from hawker.infra.runtime import runtime_of
from hawker.sim.audience import Audience
from hawker.sim.broadcast import DemoBroadcast
from hawker.sim.catalogue import HOSTS, MERCHANTS, PASSWORD, PRODUCTS, SHOPPER_NAMES, SHOWS
from hawker.sim.client import HawkerClient
from hawker.sim.demo_big_screen import seed_big_screen
from hawker.sim.demo_campaigns import SLUG, seed_campaigns
from hawker.sim.demo_clips import seed_clips
from hawker.sim.demo_coupons import FESTIVAL, seed_coupons
from hawker.sim.demo_creators import MCN_EMAIL, seed_creators
from hawker.sim.demo_experiments import run_experiments
from hawker.sim.demo_front_page import seed_front_page
from hawker.sim.replay import DemoReplay

log = logging.getLogger(__name__)
OPERATOR_EMAIL = "operator@demo.hawker.dev"
SHOPPER_EMAIL = "shopper@demo.hawker.dev"


async def _seed(http: httpx.AsyncClient, app: Any) -> tuple[int, HawkerClient, list[Any]]:
    rt = runtime_of(app)
    async with rt.db.write() as s:
        await accounts_service.do_create_user(
            s, email=OPERATOR_EMAIL, password=PASSWORD, display_name="Ops", roles=["operator"]
        )
    shopper = HawkerClient(http)
    await shopper.sign_up(SHOPPER_EMAIL, PASSWORD, "Demo Shopper", ["shopper"])

    merchants = []
    for m in MERCHANTS:
        client = HawkerClient(http)
        await client.sign_up(m["email"], PASSWORD, m["name"], ["merchant"])
        await client.call("POST", "/api/merchants/me", json={"name": m["name"]})
        merchants.append(client)
    products = []
    for merchant, title, description, image, skus in PRODUCTS:
        products.append(
            await merchants[merchant].call(
                "POST",
                "/api/products",
                json={
                    "title": title,
                    "description": description,
                    "image_url": f"/static/demo/{image}.svg",
                    "skus": [
                        {"name": n, "price": p, "currency": "USD", "stock": q} for n, p, q in skus
                    ],
                },
            )
        )

    hosts = []
    for h in HOSTS:
        client = HawkerClient(http)
        await client.sign_up(h["email"], PASSWORD, h["name"], ["host"])
        await client.call(
            "PATCH", "/api/me", json={"avatar_url": f"/static/demo/{h['avatar']}.svg"}
        )
        hosts.append(client)

    live_show = 0
    for host, title, cover, hours, lineup in SHOWS:
        start = utcnow() + timedelta(hours=hours or 0)
        show = await hosts[host].call(
            "POST",
            "/api/shows",
            json={
                "title": title,
                "description": "",
                "cover_url": f"/static/demo/{cover}.svg",
                "scheduled_start": start.isoformat(),
                "product_ids": [products[i]["id"] for i in lineup],
            },
        )
        if hours is None:
            live_show = show["id"]
            await hosts[host].call("POST", f"/api/shows/{live_show}/start")
    lineup = [products[i] for i in SHOWS[0][4]]
    return live_show, hosts[SHOWS[0][0]], lineup


async def _audience(http: httpx.AsyncClient, count: int) -> list[HawkerClient]:
    bots = []
    for i in range(count):
        bot = HawkerClient(http)
        name = SHOPPER_NAMES[i % len(SHOPPER_NAMES)]
        await bot.sign_up(f"bot{i}@demo.hawker.dev", PASSWORD, name, ["shopper"])
        bots.append(bot)
    return bots


async def _front_page_experiments(http: httpx.AsyncClient, app: Any, base: str) -> None:
    await seed_front_page(http, OPERATOR_EMAIL)
    await run_experiments(http, runtime_of(app), base, OPERATOR_EMAIL)


def _banner(base: str, show_id: int, video: str, replay_id: int | None = None) -> str:
    lines = [
        "",
        "  Hawker demo is running",
        "",
        f"    Home            {base}/",
        f"    Live room       {base}/shows/{show_id}",
        *([f"    Replay          {base}/shows/{replay_id}/replay"] if replay_id else []),
        f"    Host studio     {base}/studio/shows/{show_id}",
        f"    Merchant        {base}/merchant/products",
        f"    Short videos    {base}/videos",
        f"    Leaderboards    {base}/leaderboards",
        f"    Festival        {base}/campaigns/{SLUG}",
        f"    GMV big screen  {base}/big-screen (operator)",
        f"    Experiment      {base}/operator/experiments/home.live_position (operator)",
        f"    MCN portal      {base}/mcn",
        f"    Coupons         {base}/operator/coupons  ({FESTIVAL})",
        f"    Video           {video}",
        "",
        f"  Log-ins (password: {PASSWORD})",
        f"    shopper   {SHOPPER_EMAIL}",
        f"    host      {HOSTS[0]['email']}",
        f"    merchant  {MERCHANTS[0]['email']}",
        f"    mcn       {MCN_EMAIL}",
        f"    operator  {OPERATOR_EMAIL}",
        "",
        "  Ctrl+C to stop.",
        "",
    ]
    return "\n".join(lines)


async def run_demo(
    host: str, port: int, *, audience_size: int = 14, settings: Settings | None = None
) -> None:
    base_settings = settings or get_settings()
    data_dir = base_settings.data_dir / "demo"
    refuse_if_served(data_dir)  # another demo runs on it: wiping it would pull its floor away
    shutil.rmtree(data_dir, ignore_errors=True)
    demo_settings = base_settings.model_copy(
        # earnings, leaderboards and tiers move within seconds of a purchase in the demo
        update={
            "data_dir": data_dir,
            "host": host,
            "port": port,
            "ledger_sweep_seconds": 2.0,
            "tier_recompute_seconds": 20.0,
        }
    )
    app = create_app(demo_settings, freeze_heap=True)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()  # surfaces the start-up error (port taken, ...)
            return
        await asyncio.sleep(0.05)

    base = f"http://{host}:{port}"
    broadcast = DemoBroadcast(demo_settings)  # create_app has set its secret key by now
    video_off = broadcast.start_media_server()
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            show_id, show_host, lineup = await _seed(http, app)
            stream = await show_host.call("GET", f"/api/shows/{show_id}/stream")
            broadcast.go_live(stream["stream_key"])
            bots = await _audience(http, audience_size)
            replay = DemoReplay(http, broadcast)
            replay_id = await replay.create()
            video = video_off or f"test pattern via {stream['rtmp_url']} -> {stream['hls_url']}"
            print(_banner(base, show_id, video, replay_id), flush=True)
            promo = asyncio.create_task(seed_coupons(http, OPERATOR_EMAIL))
            audience = Audience(base, show_id, show_host, bots, lineup, coupons=(FESTIVAL,))
            crowd = asyncio.create_task(audience.run())
            # after the banner: the room is up at once, the rest follows within seconds
            clips = asyncio.create_task(seed_clips(http, data_dir / "demo-clips"))
            supply = asyncio.create_task(seed_creators(http, OPERATOR_EMAIL, bots))
            festival = asyncio.create_task(seed_campaigns(http, OPERATOR_EMAIL))
            screen = asyncio.create_task(seed_big_screen(bots))
            front = asyncio.create_task(_front_page_experiments(http, app, base))
            recording = asyncio.create_task(replay.run()) if replay_id else None
            try:
                await serving
            finally:
                for task in (crowd, clips, supply, festival, screen, front, recording, promo):
                    if task is not None:
                        task.cancel()
    finally:
        broadcast.stop()
