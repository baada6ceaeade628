"""Server-rendered pages (Jinja2 + HTMX + small ES modules)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
