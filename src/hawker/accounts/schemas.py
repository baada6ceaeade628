"""Accounts API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    password: str = Field(min_length=8, max_length=200)
    display_name: str = Field(min_length=1, max_length=60)
    roles: list[str] = Field(default_factory=lambda: ["shopper"], max_length=5)


class LogIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    token_name: str = Field(default="api", max_length=60)


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(default=None, min_length=1, max_length=60)
    avatar_url: str | None = Field(default=None, max_length=500, pattern=r"^(https?://|/)\S*$")


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    avatar_url: str
    roles: list[str]


class TokenOut(BaseModel):
    token: str
    user: UserOut


class RolesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[str] = Field(min_length=1, max_length=5)


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: int
    actor: str
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
