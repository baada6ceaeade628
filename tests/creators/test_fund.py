"""Creator fund over the API and the real settlement, on both backends: operators set pools
per period (validated, never overlapping), the settlement pays each host pro rata to
qualified watch time through the ledger, exactly the pool, once."""

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hawker.analytics.models import Event
from hawker.core.clock import utcnow
from hawker.creators import fund
from hawker.creators.ledger import FUND
from hawker.creators.models import LedgerBalance, LedgerTransaction
from hawker.infra.runtime import runtime_of
from tests.conftest import Api, assert_problem
from tests.creators.test_commissions import balance
from tests.orders.conftest import key

HOUR = timedelta(hours=1)


def iso(at: datetime) -> str:
    return at.isoformat() + "Z"


def open_period(
    operator: Api, pool: int = 1000, start: datetime | None = None, hours: int = 3, **kw: Any
) -> dict[str, Any]:
    start = start or utcnow().replace(microsecond=0) - 2 * HOUR
    body = {
        "currency": "USD",
        "pool": pool,
        "starts_at": iso(start),
        "ends_at": iso(start + hours * HOUR),
    }
    r = operator.post("/api/creator-fund/periods", json=body | kw, headers=key())
    assert r.status_code == 201, r.text
    return dict(r.json())


class Views:
    """Writes ``video.view`` events as the short-video feed does (clip_social.do_record_view)."""

    def __init__(self, client: TestClient) -> None:
        self.client, self.rt = client, runtime_of(client.app)

    def add(
        self,
        viewer: Api | None,
        host: Api,
        at: datetime,
        ms: int = 5000,
        video: int = 1,
        duration_ms: int = 30_000,
    ) -> None:
        async def write() -> None:
            async with self.rt.db.write() as s:
                s.add(
                    Event(
                        type="video.view",
                        at=at,
                        user_id=viewer.user["id"] if viewer else None,
                        value=ms,
                        data={
                            "video_id": video,
                            "host_id": host.user["id"],
                            "duration_ms": duration_ms,
                        },
                    )
                )

        self.client.portal.call(write)  # type: ignore[union-attr]

    def settle(self, at: datetime) -> list[int]:
        return list(self.client.portal.call(fund.settle_due, self.rt, at))  # type: ignore[union-attr]


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=None)


def test_operators_set_pools_and_see_periods(make_user: Callable[..., Api]) -> None:
    operator = make_user("operator")
    p = open_period(operator, pool=50_000)
    assert (p["pool"], p["currency"], p["status"], p["paid"]) == (50_000, "USD", "running", 0)
    later = open_period(operator, start=parse(p["ends_at"]))  # adjacent periods are fine
    assert later["status"] == "upcoming"
    listed = operator.get("/api/creator-fund/periods").json()
    assert [x["id"] for x in listed] == [later["id"], p["id"]]
    assert all(x["shares"] is None for x in listed)
    detail = operator.get(f"/api/creator-fund/periods/{p['id']}").json()
    assert detail["shares"] == [] and detail["settled_at"] is None
    assert_problem(operator.get("/api/creator-fund/periods/999"), 404)
    for huge in (2**31, 2**63, 2**70):
        r = operator.get(f"/api/creator-fund/periods/{huge}")
        assert r.status_code in (404, 422) and r.json()["detail"], r.text


def test_bad_periods_are_refused_and_nothing_is_made(make_user: Callable[..., Api]) -> None:
    operator = make_user("operator")
    first = open_period(operator)
    start, end = parse(first["starts_at"]), parse(first["ends_at"])
    now = utcnow().replace(microsecond=0)

    def post(**change: Any) -> Any:
        body = {"currency": "USD", "pool": 100, "starts_at": iso(end), "ends_at": iso(end + HOUR)}
        return operator.post("/api/creator-fund/periods", json=body | change, headers=key())

    for change in (
        {"pool": 0},
        {"pool": -5},
        {"pool": 10**16},
        {"pool": "100"},
        {"currency": "usd"},
        {"currency": "XXX"},
        {"ends_at": iso(end)},  # ends when it starts
        {"starts_at": iso(end + HOUR)},  # ends before it starts
        {"starts_at": iso(now - 3 * HOUR), "ends_at": iso(now - HOUR)},  # already over
        {"ends_at": iso(end + timedelta(days=367))},
        {"ends_at": "tomorrow"},
        {"starts_at": "0001-01-01T00:00:00+01:00"},
        {"ends_at": "9999-12-31T23:59:59-01:00"},
        {"extra": 1},
    ):
        assert_problem(post(**change), 422)
    body = assert_problem(post(starts_at=iso(start + HOUR)), 409, "fund_period_overlap")
    assert body["period_id"] == first["id"] and "already covers" in body["detail"]
    assert_problem(post(starts_at=iso(start - HOUR), ends_at=iso(end + HOUR)), 409)
    no_key = operator.post(
        "/api/creator-fund/periods",
        json={"currency": "USD", "pool": 1, "starts_at": iso(end), "ends_at": iso(end + HOUR)},
    )
    assert_problem(no_key, 400, "idempotency_key_required")
    assert [p["id"] for p in operator.get("/api/creator-fund/periods").json()] == [first["id"]]
    # another currency may run at the same time
    assert post(currency="EUR", starts_at=iso(start)).status_code == 201


def test_a_retried_create_returns_the_first_period(make_user: Callable[..., Api]) -> None:
    operator = make_user("operator")
    start = utcnow().replace(microsecond=0)
    body = {"currency": "USD", "pool": 700, "starts_at": iso(start), "ends_at": iso(start + HOUR)}
    headers = {"Idempotency-Key": "fund-1"}
    first = operator.post("/api/creator-fund/periods", json=body, headers=headers)
    again = operator.post("/api/creator-fund/periods", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = operator.post("/api/creator-fund/periods", json=body | {"pool": 1}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert len(operator.get("/api/creator-fund/periods").json()) == 1


def test_only_operators_run_the_fund(client: TestClient, make_user: Callable[..., Api]) -> None:
    operator = make_user("operator")
    period = open_period(operator)
    start = utcnow()
    body = {"currency": "USD", "pool": 1, "starts_at": iso(start), "ends_at": iso(start + HOUR)}
    for who in (make_user("host"), make_user("merchant", "mcn"), make_user()):
        assert_problem(who.post("/api/creator-fund/periods", json=body, headers=key()), 403)
        assert_problem(who.get("/api/creator-fund/periods"), 403)
        assert_problem(who.get(f"/api/creator-fund/periods/{period['id']}"), 403)
        assert_problem(who.post("/api/creator-fund/settle"), 403)
    assert_problem(client.get("/api/creator-fund/periods"), 401)
    assert_problem(client.post("/api/creator-fund/settle"), 401)


def test_settlement_pays_exactly_the_pool_pro_rata_once(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator, views = make_user("operator"), Views(client)
    mia, leo, ana = make_user("host"), make_user("host"), make_user("host")
    fans = [make_user() for _ in range(3)]
    p = open_period(operator, pool=1000)
    start, end = parse(p["starts_at"]), parse(p["ends_at"])
    at = start + timedelta(minutes=5)
    for fan in fans:  # three fans, a view each: mia, leo and ana earn alike
        views.add(fan, mia, at, video=1)
        views.add(fan, leo, at, video=2)
        views.add(fan, ana, at, video=3)
    # none of these qualify
    views.add(fans[0], mia, at + timedelta(minutes=1), video=1)  # burst
    views.add(fans[0], mia, at, ms=2999, video=4)  # short
    views.add(mia, mia, at, video=1)  # self view
    views.add(None, mia, at, ms=30_000, video=1)  # anonymous
    views.add(fans[0], mia, start - timedelta(seconds=1))  # before the period
    views.add(fans[1], mia, end, video=1)  # at its (exclusive) end

    assert views.settle(end + timedelta(seconds=30)) == []  # the grace minute
    assert views.settle(end + 2 * timedelta(minutes=1)) == [p["id"]]
    assert views.settle(end + HOUR) == []  # ran again: nothing more

    detail = operator.get(f"/api/creator-fund/periods/{p['id']}").json()
    assert (detail["status"], detail["paid"], detail["qualified_ms"]) == ("settled", 1000, 45_000)
    got = {s["host_id"]: (s["qualified_ms"], s["views"], s["amount"]) for s in detail["shares"]}
    first = min(h.user["id"] for h in (mia, leo, ana))  # the tie's extra unit: lowest id
    assert got == {
        h.user["id"]: (15_000, 3, 334 if h.user["id"] == first else 333) for h in (mia, leo, ana)
    }
    assert sum(balance(h) for h in (mia, leo, ana)) == 1000
    month = start.strftime("%Y-%m")
    lines = mia.get("/api/earnings/statement", params={"currency": "USD", "month": month}).json()[
        "lines"
    ]
    assert [(x["kind"], x["fund_period_id"]) for x in lines] == [("creator_fund", p["id"])]
    assert ledger_totals(client) == (-1000, 0, 1)


def ledger_totals(client: TestClient) -> tuple[int, int, int]:
    """(the fund account's balance, the sum of every balance, creator fund postings)."""

    async def read() -> tuple[int, int, int]:
        async with runtime_of(client.app).db.read() as s:
            fund_balance = await s.get(LedgerBalance, (FUND, "USD"))
            everything = await s.scalar(select(func.coalesce(func.sum(LedgerBalance.balance), 0)))
            posts = await s.scalar(
                select(func.count()).where(LedgerTransaction.kind == "creator_fund")
            )
            return (fund_balance.balance if fund_balance else 0, int(everything), int(posts or 0))

    return client.portal.call(read)  # type: ignore[union-attr, no-any-return]


def test_concurrent_settlements_pay_once(client: TestClient, make_user: Callable[..., Api]) -> None:
    operator, views, host = make_user("operator"), Views(client), make_user("host")
    p = open_period(operator, pool=999)
    views.add(make_user(), host, parse(p["starts_at"]) + HOUR)
    rt, after = runtime_of(client.app), parse(p["ends_at"]) + HOUR

    async def twice() -> list[list[int]]:
        return list(await asyncio.gather(fund.settle_due(rt, after), fund.settle_due(rt, after)))

    runs = client.portal.call(twice)  # type: ignore[union-attr]
    assert sorted(runs) == [[], [p["id"]]]
    assert balance(host) == 999
    assert ledger_totals(client) == (-999, 0, 1)


def test_a_period_nobody_qualified_in_pays_nothing(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator, views, host = make_user("operator"), Views(client), make_user("host")
    p = open_period(operator, pool=5000)
    views.add(host, host, parse(p["starts_at"]) + HOUR)  # only a self view
    assert views.settle(parse(p["ends_at"]) + HOUR) == [p["id"]]
    detail = operator.get(f"/api/creator-fund/periods/{p['id']}").json()
    assert (detail["status"], detail["paid"], detail["shares"]) == ("settled", 0, [])
    assert balance(host) == 0 and ledger_totals(client) == (0, 0, 0)


def test_fund_credits_commissions_and_a_payout_reconcile(
    client: TestClient,
    make_user: Callable[..., Api],
    sell: Callable[..., Any],
    settle: Callable[[], int],
) -> None:
    """A host earning a commission and a fund share pays out both, to the minor unit."""
    operator, views = make_user("operator"), Views(client)
    ctx, _ = sell(price=1999, quantity=3)  # 10 % of 59.97: 599
    settle()
    host = ctx["host"]
    p = open_period(operator, pool=1234)
    views.add(make_user(), host, parse(p["starts_at"]) + HOUR)
    views.settle(parse(p["ends_at"]) + HOUR)
    assert balance(host) == 599 + 1234
    r = host.post("/api/earnings/payouts", json={"currency": "USD"}, headers=key())
    assert r.status_code == 201 and r.json()["amount"] == 1833, r.text
    assert balance(host) == 0
    assert ledger_totals(client)[1:] == (0, 1)
