"""Accounts JSON API: sign-up, log-in (returns a bearer token), who am I."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts import service
from hawker.accounts.auth import credential_cache, current_user, runtime
from hawker.accounts.models import User
from hawker.accounts.schemas import LogIn, ProfileUpdate, SignUp, TokenOut, UserOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["accounts"])


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        avatar_url=user.avatar_url,
        roles=sorted(user.roles),
    )


@router.post("/auth/signup", status_code=201)
async def sign_up(body: SignUp, rt: Runtime = Depends(runtime)) -> TokenOut:
    password_hash = await service.hash_password(body.password)
    async with rt.db.write() as s:
        user = await service.do_sign_up(
            s,
            email=body.email,
            password_hash=password_hash,
            display_name=body.display_name,
            roles=body.roles,
        )
        token = await service.do_create_api_token(s, user, "signup")
    return TokenOut(token=token, user=user_out(user))


@router.post("/auth/login")
async def log_in(body: LogIn, rt: Runtime = Depends(runtime)) -> TokenOut:
    async with rt.db.read() as s:
        user = await service.access_user_by_credentials(s, body.email, body.password)
    async with rt.db.write() as s:
        token = await service.do_create_api_token(s, user, body.token_name)
    return TokenOut(token=token, user=user_out(user))


@router.get("/me")
async def me(user: User = Depends(current_user)) -> UserOut:
    return user_out(user)


@router.patch("/me")
async def update_me(
    body: ProfileUpdate, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> UserOut:
    async with rt.db.write() as s:
        fresh = await service.do_update_profile(
            s, user.id, display_name=body.display_name, avatar_url=body.avatar_url
        )
    credential_cache(rt).clear()  # cached users carry the old profile
    return user_out(fresh)
