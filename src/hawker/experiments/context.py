"""What targeting knows of a caller: roles, whether they have bought before, who they follow
(from the database), country, language and app version (from request headers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.creators.models import Follow
from hawker.experiments.targeting import Context
from hawker.orders.models import Order
from hawker.orders.states import GMV_STATES

COUNTRY_HEADER = "x-country"  # set by the edge (CDN or proxy) from the client's address
APP_VERSION_HEADER = "x-app-version"


async def context_for(s: AsyncSession, user: User | None, headers: dict[str, str]) -> Context:
    language = (headers.get("accept-language") or "").split(",")[0].split("-")[0].strip()
    country = headers.get(COUNTRY_HEADER) or None
    version = headers.get(APP_VERSION_HEADER) or None
    if user is None:
        return Context(
            new_shopper=True, country=country, language=language or None, app_version=version
        )
    bought = await s.scalar(
        select(Order.id).where(Order.buyer_id == user.id, Order.status.in_(GMV_STATES)).limit(1)
    )
    follows = await s.scalars(select(Follow.host_id).where(Follow.follower_id == user.id))
    return Context(
        roles=user.roles,
        new_shopper=bought is None,
        country=country,
        language=language or None,
        app_version=version,
        follows=frozenset(follows),
    )
