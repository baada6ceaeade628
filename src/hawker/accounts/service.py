"""Accounts rules: sign-up, log-in (argon2), sessions, API tokens, roles."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.audit import do_audit
from hawker.accounts.errors import BadCredentials, EmailTaken
from hawker.accounts.models import ROLES, ApiToken, LoginSession, User, UserRole
from hawker.core.clock import utcnow
from hawker.core.errors import Forbidden, Invalid, NotFound, Unauthenticated
from hawker.core.ids import new_token, token_digest

_hasher = PasswordHasher()
# Verifying against a dummy hash for unknown emails keeps log-in time independent of whether
# the account exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def configure_hasher(time_cost: int, memory_kib: int) -> None:
    """Argon2 cost comes from settings: production keeps the library defaults, tests go cheap."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _DUMMY_HASH = _hasher.hash("not-a-real-password")


async def hash_password(password: str) -> str:
    """argon2 is deliberately slow (tens of ms): it runs off the event loop, and callers run it
    before their write unit, which on the embedded default holds the process's one write lock."""
    return await asyncio.to_thread(_hasher.hash, password)


def check_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise Invalid(f"unknown role(s): {', '.join(unknown)}; choose from {', '.join(ROLES)}")
    return sorted(set(roles) | {"shopper"})


async def do_sign_up(
    session: AsyncSession, *, email: str, password_hash: str, display_name: str, roles: list[str]
) -> User:
    """``password_hash``: from ``hash_password``, made before the unit began."""
    email = email.strip().lower()
    wanted = check_roles(roles)
    if "operator" in wanted:
        raise Forbidden("operator accounts are granted by an operator, not self-registered")
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(f"{email} is already registered; log in instead")
    user = User(email=email, display_name=display_name.strip(), password_hash=password_hash)
    user.role_rows = [UserRole(role=r) for r in wanted]
    session.add(user)
    await session.flush()
    return user


async def do_create_user(
    session: AsyncSession, *, email: str, password: str, display_name: str, roles: list[str]
) -> User:
    """Trusted creation (seeding, operator grants): any role allowed. Hashes in the unit: rare,
    unlike sign-ups and log-ins."""
    password_hash = await hash_password(password)
    user = User(email=email.lower(), display_name=display_name, password_hash=password_hash)
    user.role_rows = [UserRole(role=r) for r in check_roles(roles)]
    session.add(user)
    await session.flush()
    return user


async def access_user_by_credentials(session: AsyncSession, email: str, password: str) -> User:
    """Slow on purpose (argon2): call it in a read unit, never a write unit."""
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        await asyncio.to_thread(
            _hasher.verify, user.password_hash if user else _DUMMY_HASH, password
        )
    except (VerificationError, InvalidHashError):
        raise BadCredentials("wrong email or password") from None
    if user is None:
        raise BadCredentials("wrong email or password")
    return user


async def do_start_session(session: AsyncSession, user: User, days: int) -> str:
    token = new_token()
    session.add(
        LoginSession(
            digest=token_digest(token), user_id=user.id, expires_at=utcnow() + timedelta(days=days)
        )
    )
    return token


async def do_end_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(LoginSession).where(LoginSession.digest == token_digest(token)))


async def do_create_api_token(session: AsyncSession, user: User, name: str) -> str:
    token = "hk_" + new_token()
    session.add(ApiToken(digest=token_digest(token), user_id=user.id, name=name))
    return token


# One statement each (plus the roles' selectin): a credential cache miss is paid by requests on
# the hot path, e.g. a buyer's first request to a node in a flash sale.
BY_SESSION = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.digest == bindparam("digest"), LoginSession.expires_at >= bindparam("now"))
)
BY_API_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.digest == bindparam("digest"))
)


async def access_user_by_session(session: AsyncSession, token: str) -> User | None:
    return await session.scalar(BY_SESSION, {"digest": token_digest(token), "now": utcnow()})


async def access_user_by_api_token(session: AsyncSession, token: str) -> User:
    user = await session.scalar(BY_API_TOKEN, {"digest": token_digest(token)})
    if user is None:
        raise Unauthenticated("unknown or revoked API token")
    return user


async def access_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def check_role(user: User, role: str) -> None:
    if not user.has_role(role):
        raise Forbidden(f"this needs the {role} role")


async def do_update_profile(
    session: AsyncSession, user_id: int, *, display_name: str | None, avatar_url: str | None
) -> User:
    user = await access_user(session, user_id)
    if display_name is not None:
        user.display_name = display_name.strip()
    if avatar_url is not None:
        user.avatar_url = avatar_url
    return user


async def search_users(session: AsyncSession, q: str, limit: int = 25) -> list[User]:
    """Operators find accounts by email or name (case-insensitive substring), or by id."""
    term = q.strip().lower()
    match = func.lower(User.email).contains(term, autoescape=True) | func.lower(
        User.display_name
    ).contains(term, autoescape=True)
    if q.strip().isdigit() and len(q.strip()) < 10:  # an id (ids are 32-bit)
        match = match | (User.id == int(q.strip()))
    return list(await session.scalars(select(User).where(match).order_by(User.id).limit(limit)))


async def do_set_roles(
    session: AsyncSession, operator: User, user_id: int, roles: list[str]
) -> User:
    """Grant and revoke roles (audited). An operator cannot take away their own operator role:
    the console must never be left without the person using it."""
    check_role(operator, "operator")
    target = await access_user(session, user_id)
    wanted = check_roles(roles)
    if target.id == operator.id and "operator" not in wanted:
        raise Forbidden("you cannot revoke your own operator role")
    before = sorted(target.roles)
    if before == wanted:
        return target
    target.role_rows = [r for r in target.role_rows if r.role in wanted] + [
        UserRole(role=r) for r in wanted if r not in target.roles
    ]
    await session.flush()
    await do_audit(
        session, operator, "user.roles", "user", target.id,
        before={"roles": before}, after={"roles": wanted},
    )  # fmt: skip
    return target
