"""Identifiers and secrets."""

from __future__ import annotations

import hashlib
import secrets


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """Tokens are stored only as digests, so a leaked table leaks no sessions."""
    return hashlib.sha256(token.encode()).hexdigest()
