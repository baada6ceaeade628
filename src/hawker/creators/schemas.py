"""Creators API shapes."""

from __future__ import annotations

from pydantic import BaseModel


class HostProfileOut(BaseModel):
    id: int
    name: str
    avatar_url: str
    followers: int
    following: bool  # whether the caller follows this host (false when logged out)
