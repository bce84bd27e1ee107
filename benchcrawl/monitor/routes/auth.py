"""Signing in (the token, once, for a session cookie) and out."""

# no `from __future__ import annotations`: FastAPI resolves the Annotated aliases here

import time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from benchcrawl.monitor.auth import SESSION_COOKIE
from benchcrawl.monitor.routes.deps import Auth, client_of, failed_sign_in, monitor_of, render

router = APIRouter(include_in_schema=False)


@router.post("/signin")
async def signin(request: Request) -> Response:
    monitor = monitor_of(request)
    form = await request.form()
    candidate = form.get("token")
    if isinstance(candidate, str) and monitor.token.matches(candidate):
        monitor.failures.succeeded(client_of(request))
        session = monitor.sessions.create(time.time())
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="strict", path="/")
        return response
    await failed_sign_in(request)
    return render(request, "signin.html", status=401, error="Wrong token.")


@router.post("/signout")
async def signout(request: Request, session: Auth) -> Response:
    monitor_of(request).sessions.drop(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
