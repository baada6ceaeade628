"""A campaign's show schedule: hosts enter their own shows, operators bulk-import hundreds a
day from CSV, and a day grid by hour shows the result.

Each show in the schedule has a slot (start and length). A slot is refused when it overlaps
another slot of the same host (in any campaign, unless rejected) or when one of the host's
other shows is scheduled to start inside it. An import is all or nothing: every row is
checked first (fields, hosts, products, the window, clashes inside the file and with what is
booked) and any error refuses the whole file with one problem listing each bad row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit
from hawker.accounts.models import User
from hawker.campaigns.errors import BadScheduleFile, ScheduleConflict
from hawker.campaigns.models import Campaign, CampaignEntry
from hawker.campaigns.schemas import naive_utc
from hawker.campaigns.service import access_open_campaign, check_operator, flush_unique
from hawker.catalog.models import Product
from hawker.core.errors import Forbidden, Invalid
from hawker.live.models import Show
from hawker.live.schemas import ShowIn
from hawker.live.service import access_show_as_host, do_create_show

COLUMNS = ("host_email", "title", "start", "duration_minutes", "product_ids")
MAX_ROWS = 5000
MIN_MINUTES, MAX_MINUTES = 5, 720


async def check_host_free(
    s: AsyncSession, host_id: int, start: datetime, end: datetime, skip_show: int | None = None
) -> str | None:
    """Why ``host_id`` cannot take the slot [start, end), or None when free."""
    slot = await s.scalar(
        select(CampaignEntry).where(
            CampaignEntry.kind == "show",
            CampaignEntry.host_id == host_id,
            CampaignEntry.status != "rejected",
            CampaignEntry.starts_at < end,
            CampaignEntry.ends_at > start,
            CampaignEntry.target_id != (skip_show or 0),
        )
    )
    if slot is not None:
        return f"overlaps show {slot.target_id} ({_hm(slot.starts_at)} to {_hm(slot.ends_at)} UTC)"
    show = await s.scalar(
        select(Show).where(
            Show.host_id == host_id,
            Show.status != "ended",
            Show.scheduled_start >= start,
            Show.scheduled_start < end,
            Show.id != (skip_show or 0),
        )
    )
    if show is not None:
        return f"overlaps show {show.id}, which starts at {_hm(show.scheduled_start)} UTC"
    return None


def _hm(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "?"


async def do_apply_shows(
    s: AsyncSession, user: User, campaign_id: int, items: list[dict[str, Any]]
) -> list[CampaignEntry]:
    """A host enters their own scheduled shows, each with its length."""
    campaign = await access_open_campaign(s, campaign_id)
    entries = []
    for item in items:
        show = await access_show_as_host(s, user, item["show_id"])
        if show.host_id != user.id:
            raise Forbidden(f"show {show.id} belongs to another host")
        if show.status == "ended":
            raise Invalid(f"show {show.id} has ended")
        start = show.scheduled_start
        end = start + timedelta(minutes=item["duration_minutes"])
        if not campaign.starts_at <= start < campaign.ends_at:
            raise Invalid(f"show {show.id} does not start inside the campaign")
        clash = await check_host_free(s, show.host_id, start, end, skip_show=show.id)
        if clash:
            raise ScheduleConflict(f"show {show.id} {clash}")
        entry = CampaignEntry(
            campaign_id=campaign.id,
            kind="show",
            target_id=show.id,
            applicant_id=user.id,
            host_id=show.host_id,
            starts_at=start,
            ends_at=end,
        )
        s.add(entry)
        entries.append(entry)
        await flush_unique(s, f"show {show.id} is already entered in this campaign")
    return entries


@dataclass
class Row:
    row: int  # the file's line, the header being row 1 (as a spreadsheet numbers it)
    host_email: str
    title: str
    start: datetime
    end: datetime
    product_ids: list[int]
    host: User | None = None


def _parse_start(text: str) -> datetime:
    return naive_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def parse_rows(text: str) -> tuple[list[Row], list[dict[str, Any]]]:
    """The file's rows, and the errors of the rows that could not be read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != list(COLUMNS):
        raise BadScheduleFile(
            "the first line must be the header " + ",".join(COLUMNS),
            errors=[{"row": 1, "detail": "expected header " + ",".join(COLUMNS)}],
        )
    rows, errors = [], []
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            raise BadScheduleFile(f"a file holds at most {MAX_ROWS} shows")
        if None in raw or any(v is None for v in raw.values()):
            errors.append({"row": n, "detail": f"expected {len(COLUMNS)} fields"})
            continue
        try:
            minutes = int(raw["duration_minutes"])
            if not MIN_MINUTES <= minutes <= MAX_MINUTES:
                raise ValueError(f"duration must be {MIN_MINUTES} to {MAX_MINUTES} minutes")
            title = raw["title"].strip()
            if not 1 <= len(title) <= 120:
                raise ValueError("title must be 1 to 120 characters")
            start = _parse_start(raw["start"])
            ids = [int(p) for p in raw["product_ids"].replace(";", " ").split()]
        except ValueError as e:
            errors.append({"row": n, "detail": _reason(e)})
            continue
        end = start + timedelta(minutes=minutes)
        rows.append(Row(n, raw["host_email"].strip().lower(), title, start, end, ids))
    return rows, errors


def _reason(e: ValueError) -> str:
    text = str(e)
    if text.startswith("invalid literal for int()"):
        return "durations and product ids are whole numbers"
    if "isoformat" in text:
        return "start must be an ISO 8601 time, e.g. 2026-11-11T20:00Z"
    return text


async def _check_rows(s: AsyncSession, campaign: Campaign, rows: list[Row]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    emails = {r.host_email for r in rows}
    hosts = {
        u.email.lower(): u for u in await s.scalars(select(User).where(User.email.in_(emails)))
    }
    wanted = {p for r in rows for p in r.product_ids}
    products = set(await s.scalars(select(Product.id).where(Product.id.in_(wanted))))
    last: dict[int, Row] = {}
    for r in sorted(rows, key=lambda r: (r.host_email, r.start, r.row)):
        r.host = hosts.get(r.host_email)
        if r.host is None or not r.host.has_role("host"):
            errors.append({"row": r.row, "detail": f"no host with the email {r.host_email}"})
            continue
        if not campaign.starts_at <= r.start < campaign.ends_at:
            errors.append({"row": r.row, "detail": "the show does not start inside the campaign"})
        missing = sorted(set(r.product_ids) - products)
        if missing:
            errors.append({"row": r.row, "detail": f"no product {missing[0]}"})
        if len(set(r.product_ids)) != len(r.product_ids):
            errors.append({"row": r.row, "detail": "a product appears twice in the line-up"})
        before = last.get(r.host.id)
        if before is not None and before.end > r.start:
            errors.append({"row": r.row, "detail": f"overlaps row {before.row} for the same host"})
        elif clash := await check_host_free(s, r.host.id, r.start, r.end):
            errors.append({"row": r.row, "detail": clash})
        last[r.host.id] = r
    return errors


async def do_import_schedule(
    s: AsyncSession, operator: User, campaign_id: int, text: str
) -> list[CampaignEntry]:
    """Create every row's show (through the live context) and its approved slot, or none."""
    check_operator(operator)
    campaign = await access_open_campaign(s, campaign_id)
    rows, errors = parse_rows(text)
    if not rows and not errors:
        raise BadScheduleFile("the file has no shows", errors=[])
    errors += await _check_rows(s, campaign, rows)
    if errors:
        errors.sort(key=lambda e: e["row"])
        first = errors[0]
        raise BadScheduleFile(
            f"{len(errors)} error(s), nothing imported; row {first['row']}: {first['detail']}",
            errors=errors,
        )
    entries = []
    for r in rows:
        assert r.host is not None  # checked above
        spec = ShowIn(title=r.title, scheduled_start=r.start, product_ids=r.product_ids)
        show = await do_create_show(s, r.host, spec)
        entries.append(
            CampaignEntry(
                campaign_id=campaign.id,
                kind="show",
                target_id=show.id,
                applicant_id=operator.id,
                host_id=r.host.id,
                starts_at=r.start,
                ends_at=r.end,
                status="approved",
                decided_by=operator.id,
            )
        )
    s.add_all(entries)
    await s.flush()
    after = {"shows": len(entries), "show_ids": [e.target_id for e in entries]}
    await do_audit(s, operator, "campaign.schedule.import", "campaign", campaign.id, after=after)
    return entries


@dataclass(frozen=True)
class Slot:
    entry_id: int
    show_id: int
    title: str
    host: str
    starts_at: datetime
    ends_at: datetime
    status: str
    featured: bool
    show_status: str


async def day_grid(s: AsyncSession, campaign_id: int, day: date) -> list[tuple[int, list[Slot]]]:
    """The campaign's show slots starting on ``day`` (UTC), by hour 0-23."""
    start = datetime(day.year, day.month, day.day)
    rows = await s.execute(
        select(CampaignEntry, Show, User.display_name)
        .join(Show, Show.id == CampaignEntry.target_id)
        .join(User, User.id == Show.host_id)
        .where(
            CampaignEntry.campaign_id == campaign_id,
            CampaignEntry.kind == "show",
            CampaignEntry.starts_at >= start,
            CampaignEntry.starts_at < start + timedelta(days=1),
        )
        .order_by(CampaignEntry.starts_at, CampaignEntry.id)
    )
    hours: list[tuple[int, list[Slot]]] = [(h, []) for h in range(24)]
    for e, show, name in rows:
        assert e.starts_at is not None and e.ends_at is not None
        slot = Slot(
            e.id,
            show.id,
            show.title,
            name,
            e.starts_at,
            e.ends_at,
            e.status,
            e.featured,
            show.status,
        )
        hours[e.starts_at.hour][1].append(slot)
    return hours
