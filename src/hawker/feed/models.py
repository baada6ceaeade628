"""Front-page tables: stable section ids, layout versions, per-shopper section stats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import Base


class FrontPageSection(Base):
    """A section's identity. Its settings live in each layout version; the id stays the same
    across versions, so metrics follow a section that moves ("live now" to the middle)."""

    __tablename__ = "front_page_sections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(80))  # the latest title, for metrics
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FrontPageLayout(Base):
    """Version 0 is the operators' draft (edited in place); 1, 2, ... are published layouts,
    never changed. The highest version is the one shoppers see; a rollback publishes a copy."""

    __tablename__ = "front_page_layouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SectionStat(Base):
    """Impressions and clicks of one section by one shopper on one day (user 0: signed out)."""

    __tablename__ = "front_page_section_stats"

    section_id: Mapped[int] = mapped_column(ForeignKey("front_page_sections.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    impressions: Mapped[int] = mapped_column(Integer, default=0)
    clicks: Mapped[int] = mapped_column(Integer, default=0)
