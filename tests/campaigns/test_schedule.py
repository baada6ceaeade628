"""Show schedule: bulk CSV import through the live context, all rows or none, with conflicts
per host refused row by row; the day grid by hour."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.campaigns import schedule
from hawker.core.clock import utcnow
from hawker.live.models import Show
from tests.campaigns.conftest import iso
from tests.conftest import Api, assert_problem

HEADER = "host_email,title,start,duration_minutes,product_ids\n"


def at(hours: float) -> str:
    """A whole-minute time ``hours`` from now, as the file writes it."""
    t = (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    return t.isoformat() + "Z"


def post_csv(op: Api, campaign_id: int, text: str) -> Any:
    return op.post(
        f"/api/campaigns/{campaign_id}/schedule",
        content=text.encode(),
        headers={"Content-Type": "text/csv"},
    )


def count_shows(in_db: Callable[..., Any]) -> int:
    async def n(s: AsyncSession) -> int:
        return int(await s.scalar(select(func.count()).select_from(Show)) or 0)

    return int(in_db(n))


def test_import_creates_scheduled_shows_and_approved_slots(
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
    audits: Callable[[], list[Any]],
) -> None:
    c = festival(starts_at=iso(timedelta(hours=-1)), ends_at=iso(timedelta(days=2)))
    op: Api = c["operator"]
    ana, leo, merchant = make_user("host"), make_user("host"), make_user("merchant")
    pid = merchant.post(
        "/api/products",
        json={"title": "Mug", "skus": [{"name": "-", "price": 900, "currency": "USD", "stock": 5}]},
    ).json()["id"]
    rows = [
        f"{ana.user['email']},Morning glow,{at(2)},60,{pid}",
        f"{ana.user['email'].upper()},Noon drop,{at(3)},30,",  # back to back: no overlap
        f"{leo.user['email']},Gala night,{at(2.5)},120,{pid}",
    ]
    r = post_csv(op, c["id"], HEADER + "\n".join(rows))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["shows"] == 3 and {e["status"] for e in body["entries"]} == {"approved"}
    shows = ana.get(f"/api/shows?host_id={ana.user['id']}").json()
    assert sorted(s["title"] for s in shows) == ["Morning glow", "Noon drop"]
    assert {s["status"] for s in shows} == {"scheduled"}
    audit = audits()[-1]
    assert audit.action == "campaign.schedule.import" and audit.after["shows"] == 3

    # the same host again in an overlapping slot is refused against what is booked
    again = post_csv(op, c["id"], HEADER + f"{ana.user['email']},Clash,{at(2.5)},30,\n")
    problem = assert_problem(again, 422, "bad_schedule_file")
    assert problem["errors"][0]["row"] == 2 and "overlaps show" in problem["errors"][0]["detail"]


def test_a_file_with_errors_imports_nothing_and_names_every_bad_row(
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
    in_db: Callable[..., Any],
    audits: Callable[[], list[Any]],
) -> None:
    c = festival()
    op: Api = c["operator"]
    ana, shopper, merchant = make_user("host"), make_user(), make_user("merchant")
    a = ana.user["email"]
    pid = merchant.post(
        "/api/products",
        json={"title": "Mug", "skus": [{"name": "-", "price": 900, "currency": "USD", "stock": 5}]},
    ).json()["id"]
    text = HEADER + "\n".join(
        [
            f"{a},Fine,{at(1)},60,",  # row 2: fine on its own
            f"{a},Overlap,{at(1.5)},60,",  # row 3: overlaps row 2
            f"{shopper.user['email']},Not a host,{at(5)},60,",  # row 4
            f"{a},Bad time,tomorrow,60,",  # row 5
            f"{a},Too long,{at(8)},9999,",  # row 6
            f"{a},No product,{at(10)},60,424242",  # row 7
            f"{a},After,{at(24 * 9)},60,",  # row 8: after the campaign
            f"{a},Short row",  # row 9
            f"{a},Twice,{at(12)},60,{pid} {pid}",  # row 10: a product twice
        ]
    )
    before = count_shows(in_db)
    problem = assert_problem(post_csv(op, c["id"], text), 422, "bad_schedule_file")
    rows = [e["row"] for e in problem["errors"]]
    assert rows == [3, 4, 5, 6, 7, 8, 9, 10], problem
    assert "row 3" in problem["detail"] and "nothing imported" in problem["detail"]
    assert count_shows(in_db) == before
    assert [x.action for x in audits()] == ["campaign.create"]

    assert_problem(post_csv(op, c["id"], "who,what\n"), 422, "bad_schedule_file")
    assert_problem(post_csv(op, c["id"], HEADER), 422, "bad_schedule_file")
    r = op.post(
        f"/api/campaigns/{c['id']}/schedule",
        content=b"\xff\xfe",
        headers={"Content-Type": "text/csv"},
    )
    assert_problem(r, 422, "bad_schedule_file")
    assert_problem(post_csv(ana, c["id"], HEADER + f"{a},Mine,{at(1)},60,\n"), 403, "forbidden")


def test_hundreds_of_shows_a_day_and_the_day_grid(
    make_user: Callable[..., Api],
    festival: Callable[..., dict[str, Any]],
    in_db: Callable[..., Any],
) -> None:
    day = (utcnow() + timedelta(days=1)).date()
    midnight = datetime(day.year, day.month, day.day)
    c = festival(
        starts_at=midnight.isoformat() + "Z",
        ends_at=(midnight + timedelta(days=1)).isoformat() + "Z",
    )
    hosts = [make_user("host") for _ in range(10)]
    lines = [
        f"{h.user['email']},Show {i}-{slot},{midnight + timedelta(minutes=45 * slot):%FT%H:%M}Z,45,"
        for i, h in enumerate(hosts)
        for slot in range(30)  # 30 back-to-back 45-minute shows a host: 300 shows a day
    ]
    r = post_csv(c["operator"], c["id"], HEADER + "\n".join(lines))
    assert r.status_code == 201, r.text[:500]
    assert r.json()["shows"] == 300

    async def grid(s: AsyncSession) -> Any:
        return await schedule.day_grid(s, c["id"], day)

    hours = in_db(grid)
    assert [h for h, _ in hours] == list(range(24))
    assert sum(len(slots) for _, slots in hours) == 300
    assert all(slot.starts_at.hour == h for h, slots in hours for slot in slots)
    assert len(hours[0][1]) == 20  # 00:00 and 00:45 for each of ten hosts

    async def other_day(s: AsyncSession) -> Any:
        return await schedule.day_grid(s, c["id"], date(2000, 1, 1))

    assert all(not slots for _, slots in in_db(other_day))
