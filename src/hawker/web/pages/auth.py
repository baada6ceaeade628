"""Log-in, sign-up and log-out forms: they start and end cookie sessions.

The forms post url-encoded bodies with a ``csrf_token`` field (checked by the CSRF middleware
before these handlers run). Failures re-render the form with the reason and what was typed.
"""

from __future__ import annotations

from fastapi import Depends
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hawker.accounts import service
from hawker.accounts.auth import SESSION_COOKIE, credential_cache, optional_user, runtime
from hawker.accounts.models import User
from hawker.accounts.schemas import SignUp
from hawker.core.errors import HawkerError
from hawker.infra.runtime import Runtime
from hawker.web.pages.common import page_router, safe_next
from hawker.web.render import render

router = page_router()
SIGNUP_ROLES = ("shopper", "host", "merchant")


def _signed_in(rt: Runtime, token: str, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=rt.settings.session_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=rt.settings.cookie_secure,
    )
    return response


@router.get("/login")
async def login_form(
    request: Request, next: str = "/", user: User | None = Depends(optional_user)
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", next=safe_next(next), email="", error="")


@router.post("/login")
async def login(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    form = await request.form()
    email, password = str(form.get("email", ""))[:254], str(form.get("password", ""))[:200]
    target = safe_next(str(form.get("next", "")))
    try:
        async with rt.db.read() as s:
            user = await service.access_user_by_credentials(s, email, password)
        async with rt.db.write() as s:
            token = await service.do_start_session(s, user, rt.settings.session_days)
    except HawkerError as e:
        return render(
            request, "auth/login.html", status_code=400, next=target, email=email, error=e.detail
        )
    return _signed_in(rt, token, target)


@router.get("/signup")
async def signup_form(request: Request, next: str = "/") -> Response:
    return render(
        request,
        "auth/signup.html",
        next=safe_next(next),
        form={"email": "", "display_name": "", "roles": ["shopper"]},
        roles=SIGNUP_ROLES,
        errors=[],
    )


@router.post("/signup")
async def signup(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    form = await request.form()
    fields = {
        "email": str(form.get("email", "")),
        "password": str(form.get("password", "")),
        "display_name": str(form.get("display_name", "")),
        "roles": [str(r) for r in form.getlist("roles") if r in SIGNUP_ROLES] or ["shopper"],
    }
    target = safe_next(str(form.get("next", "")))
    errors: list[str] = []
    try:
        spec = SignUp.model_validate(fields)
        password_hash = await service.hash_password(spec.password)
        async with rt.db.write() as s:
            user = await service.do_sign_up(
                s,
                email=spec.email,
                password_hash=password_hash,
                display_name=spec.display_name,
                roles=spec.roles,
            )
            token = await service.do_start_session(s, user, rt.settings.session_days)
    except ValidationError as e:
        errors = [f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()]
    except HawkerError as e:
        errors = [e.detail]
    if errors:
        fields.pop("password")
        return render(
            request,
            "auth/signup.html",
            status_code=400,
            next=target,
            form=fields,
            roles=SIGNUP_ROLES,
            errors=errors,
        )
    return _signed_in(rt, token, target)


@router.post("/logout")
async def logout(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        async with rt.db.write() as s:
            await service.do_end_session(s, token)
        credential_cache(rt).evict(f"s:{token}")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
