"""Application factory: wires settings, adapters, contexts and routes."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, nullcontext
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis

from hawker.accounts import api as accounts_api
from hawker.accounts import operator_api as accounts_operator_api
from hawker.accounts import service as accounts_service
from hawker.analytics import api as analytics_api
from hawker.campaigns import api as campaigns_api
from hawker.campaigns import coupons_api
from hawker.campaigns import jobs as campaigns_jobs
from hawker.campaigns import listing as campaign_listing
from hawker.catalog import api as catalog_api
from hawker.core import outbox
from hawker.core.clock import utcnow
from hawker.core.config import Settings, get_settings
from hawker.creators import affiliate_api as creators_affiliate_api
from hawker.creators import api as creators_api
from hawker.creators import big_screen
from hawker.creators import big_screen_api as creators_big_screen_api
from hawker.creators import earnings_api as creators_earnings_api
from hawker.creators import fund_api as creators_fund_api
from hawker.creators import jobs as creators_jobs
from hawker.creators import leaderboards_api as creators_leaderboards_api
from hawker.creators import mcn_api as creators_mcn_api
from hawker.creators import notifications_api as creators_notifications_api
from hawker.creators import offers_api as creators_offers_api
from hawker.creators import profiles_api as creators_profiles_api
from hawker.creators import tiers_api as creators_tiers_api
from hawker.creators import training_api as creators_training_api
from hawker.deals import api as deals_api
from hawker.deals import jobs as deals_jobs
from hawker.deals.stock import close_deal_stock, install_deal_stock
from hawker.experiments import api as experiments_api
from hawker.experiments import jobs as experiments_jobs
from hawker.experiments.exposures import Seen
from hawker.experiments.registry import Registry
from hawker.feed import api as feed_api
from hawker.infra.data_dir_lock import serving_alone
from hawker.infra.jobs import Jobs
from hawker.infra.payments import SandboxPaymentProvider
from hawker.infra.runtime import Runtime
from hawker.live import api as live_api
from hawker.live.hub import RoomHub
from hawker.migrations import upgrade_async
from hawker.orders import api as orders_api
from hawker.orders import discounts_api
from hawker.orders import jobs as orders_jobs
from hawker.video import api as video_api
from hawker.video import clips_api, replay_api
from hawker.video import jobs as video_jobs
from hawker.web import csrf, pages, problems
from hawker.web.nul import RefuseNul

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "web" / "static"
SHUTDOWN_STEP_SECONDS = 10


def ensure_secret(settings: Settings) -> None:
    """The configured secret key, or one generated once and kept in the data dir."""
    if settings.secret_key:
        return
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    settings.secret_key = path.read_text().strip()


async def _bounded(step: Awaitable[object], what: str) -> None:
    """A shutdown step that cannot hang the server's exit: a stuck one is logged and left
    (its work is best-effort or repaired by others: heartbeats age out, jobs re-run)."""
    try:
        async with asyncio.timeout(SHUTDOWN_STEP_SECONDS):
            await step
    except TimeoutError:
        log.error("shutdown: %s did not finish in %s s; going on", what, SHUTDOWN_STEP_SECONDS)


def serve_app() -> FastAPI:
    """The app of a long-lived server process (``hawker serve``; see ``freeze_heap``)."""
    return create_app(freeze_heap=True)


def create_app(
    settings: Settings | None = None, *, run_jobs: bool = True, freeze_heap: bool = False
) -> FastAPI:
    """``freeze_heap``: once started, move everything the start-up made (modules, routes,
    mappers, templates) out of the cyclic garbage collector's reach (``gc.freeze``), so a full
    collection walks only what requests made since. Measured: a full collection in the middle
    of a flash sale took 150 ms, 20 ms with the start-up heap frozen. Only for a process that
    serves until it exits: what it freezes is never collected."""
    settings = settings or get_settings()
    rt = Runtime.from_settings(settings)
    ensure_secret(settings)
    accounts_service.configure_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    jobs = Jobs(settings)
    hub = rt.services["hub"] = RoomHub(rt)
    # scaled out, every node must see the same sandbox records (a real provider is one service)
    payments_redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    rt.services["payments"] = SandboxPaymentProvider(payments_redis, settings.redis_prefix)
    install_deal_stock(rt)
    experiments = rt.services["experiments"] = Registry(settings.experiment_holdout_bps)
    rt.services["experiment_seen"] = Seen()
    deals_jobs.register_jobs(jobs, rt)
    orders_jobs.register_jobs(jobs, rt)
    creators_jobs.register_jobs(jobs, rt)
    campaigns_jobs.register_jobs(jobs, rt)
    big_screen.set_campaign_scope(rt, campaign_listing.big_screen_scope)
    video_jobs.register_jobs(jobs, rt)
    experiments_jobs.register_jobs(jobs, rt)

    async def prune_outbox() -> None:
        async with rt.db.write() as s:
            await outbox.do_prune(s, utcnow() - timedelta(days=settings.outbox_retention_days))

    jobs.every("prune_outbox", 3600.0, prune_outbox)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # see infra.data_dir_lock
        with nullcontext() if settings.redis_url else serving_alone(settings.data_dir):
            await upgrade_async(settings.effective_database_url)
            if run_jobs:
                jobs.start(asyncio.get_running_loop())
            hub.start()
            experiments.start(rt.db, settings.experiment_refresh_seconds)
            if freeze_heap:
                gc.freeze()
            try:
                yield
            finally:
                await _bounded(hub.stop(), "the room hub's last flush")
                await _bounded(experiments.stop(), "the experiments refresh")
                await _bounded(jobs.stop(), "the job consumer")
                await _bounded(close_deal_stock(rt), "the stock engine")
                if payments_redis is not None:
                    await _bounded(payments_redis.aclose(), "the sandbox's Redis")
                await _bounded(rt.close(), "the bus and database")

    app = FastAPI(
        title="Hawker",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.runtime = rt
    app.state.jobs = jobs
    problems.install(app)
    app.add_middleware(csrf.CSRFMiddleware, secure=settings.cookie_secure)
    app.add_middleware(RefuseNul)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Trivial endpoint: also the benchmarks' same-server ceiling."""
        return {"status": "ok"}

    orders_api.add_buy_route(app.router)  # a flash sale's crowd: matched first
    app.include_router(pages.home_router)
    for module in (
        orders_api,  # routes are tried in order: a sale's other requests early
        deals_api,
        accounts_api,
        accounts_operator_api,
        catalog_api,
        live_api,
        analytics_api,
        video_api,
        clips_api,
        creators_api,
        creators_affiliate_api,
        creators_earnings_api,
        creators_leaderboards_api,
        creators_tiers_api,
        creators_mcn_api,
        creators_notifications_api,
        creators_offers_api,
        creators_profiles_api,
        creators_training_api,
        creators_fund_api,
        creators_big_screen_api,
        experiments_api,
        replay_api,
        campaigns_api,
        coupons_api,
        discounts_api,
        feed_api,
    ):
        app.include_router(module.router)
    app.include_router(pages.router)
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/media", StaticFiles(directory=settings.media_dir), name="media")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
