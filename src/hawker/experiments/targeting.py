"""Targeting rules: who may enter an experiment, decided from what the caller knows of the unit.

Rules are stored as JSON (``Rules``) and checked against a ``Context`` the page or API builds
from the request. Every rule that is set must hold (AND); an unset rule does not restrict. A
unit that does not match gets the default variant and is never exposed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Code = Annotated[str, Field(min_length=2, max_length=8, pattern=r"^[A-Za-z-]+$")]
VERSION = r"^\d{1,6}(\.\d{1,6}){0,3}$"


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[Literal["shopper", "host", "merchant", "mcn", "operator"]] = Field(
        default_factory=list, max_length=5, description="any of these roles"
    )
    shopper: Literal["new", "returning"] | None = Field(
        default=None, description="new: no paid order yet"
    )
    countries: list[Code] = Field(default_factory=list, max_length=250)
    languages: list[Code] = Field(default_factory=list, max_length=200)
    min_app_version: str | None = Field(default=None, pattern=VERSION)
    follows_any_of: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        default_factory=list, max_length=1000, description="followers of one of these hosts"
    )
    allow: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=10_000, description="only these unit ids"
    )


@dataclass(frozen=True)
class Context:
    """What is known about the unit asking; unknown fields fail the rules that need them."""

    roles: frozenset[str] = frozenset()
    new_shopper: bool | None = None
    country: str | None = None
    language: str | None = None
    app_version: str | None = None
    follows: frozenset[int] = field(default_factory=frozenset)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


Check = Callable[[str, Context], bool]


def compile_rules(rules: Rules) -> Check | None:
    """The rules as one check, with the lists made sets once; None when nothing is set."""
    if rules == Rules():
        return None
    allow = frozenset(rules.allow)
    countries = frozenset(c.upper() for c in rules.countries)
    languages = frozenset(lang.lower() for lang in rules.languages)
    return lambda unit, ctx: matches(rules, unit, ctx, allow, countries, languages)


def matches(
    rules: Rules,
    unit: str,
    ctx: Context,
    allow: frozenset[str],
    countries: frozenset[str],
    languages: frozenset[str],
) -> bool:
    if allow and unit not in allow:
        return False
    if rules.roles and not ctx.roles.intersection(rules.roles):
        return False
    if rules.shopper is not None and ctx.new_shopper != (rules.shopper == "new"):
        return False
    if countries and (ctx.country or "").upper() not in countries:
        return False
    if languages and (ctx.language or "").lower() not in languages:
        return False
    if rules.min_app_version is not None:
        if ctx.app_version is None or not _valid(ctx.app_version):
            return False
        if _version(ctx.app_version) < _version(rules.min_app_version):
            return False
    return not rules.follows_any_of or bool(ctx.follows.intersection(rules.follows_any_of))


def _valid(text: str) -> bool:
    parts = text.split(".")
    return 1 <= len(parts) <= 4 and all(p.isdigit() and len(p) <= 6 for p in parts)
