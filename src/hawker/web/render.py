"""The Jinja2 environment for pages and the helpers every template may use.

Autoescaping is always on: user text (titles, chat, names) is escaped on the server; state
handed to ES modules goes through ``tojson`` (which escapes ``<``, ``>`` and ``&``) and scripts
write user text with ``textContent`` only.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from hawker.core.clock import utcnow
from hawker.core.money import format_money
from hawker.web.csrf import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _static_version() -> str:
    """Cache-busting suffix: the newest mtime of our own css/js (changes on every deploy)."""
    mtimes = [p.stat().st_mtime for p in STATIC_DIR.glob("[cj]s*/*") if p.is_file()]
    return str(int(max(mtimes, default=0)))


def iso(value: datetime | None) -> str:
    """Naive UTC timestamps as ISO 8601 with a Z, so browsers read them as UTC."""
    return value.isoformat(timespec="seconds") + "Z" if value else ""


def short_time(value: datetime | None) -> str:
    if value is None:
        return ""
    year = "" if value.year == utcnow().year else f" {value.year}"
    return value.strftime(f"%b %d{year}, %H:%M UTC")


def compact(n: int) -> str:
    """Viewer and like counts the way live apps print them: 1.2K, 3.4M."""
    for size, suffix in ((1_000_000, "M"), (1_000, "K")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def watch(ms: int) -> str:
    """Watch time the way the operator reads it: 1h 02m, 12m 05s, 4s."""
    seconds = ms // 1000
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds % 60:02d}s" if minutes else f"{seconds}s"


env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates ship with the code: no stat() of each one per render
)
env.filters.update(money=format_money, iso=iso, short_time=short_time, compact=compact, watch=watch)
env.globals["static_version"] = _static_version()


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the request's user and CSRF token available to every template."""
    user = getattr(request.state, "user", None)
    html = env.get_template(name).render(
        request=request,
        user=user,
        csrf_token=csrf_token(request.scope.setdefault("state", {})),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
