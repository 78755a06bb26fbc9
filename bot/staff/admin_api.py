"""A small HTTP API for the staff area (HTTP Basic auth), for scripts and downloads.

401 without valid credentials, 403 when the role does not allow the action. Downloads
are always sent as attachments with `application/octet-stream` and `nosniff`, so an
uploaded HTML or SVG file is never rendered as a page in the bot's origin.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from bot.staff.admin_service import AdminService, Forbidden


class Credentials(Protocol):
    """What the API needs from the web login (`bot.web.auth.Authenticator`): the staff part
    does not import the web part, the web part hands its authenticator in."""

    def client_key(self, address: str | None) -> str | None: ...

    def check(self, name: str, password: str, client: str | None = None) -> bool: ...


def admin_api_router(service: AdminService, authenticator: Credentials) -> APIRouter:
    router = APIRouter()
    challenge = {"WWW-Authenticate": 'Basic realm="KI-Bot Verwaltung", charset="UTF-8"'}

    def account(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise HTTPException(401, "Anmeldung erforderlich.", headers=challenge)
        try:
            name, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise HTTPException(401, "Anmeldung erforderlich.", headers=challenge) from exc
        client = authenticator.client_key(request.client.host if request.client else None)
        if not authenticator.check(name, password, client):
            raise HTTPException(401, "Anmeldung fehlgeschlagen.", headers=challenge)
        return name

    def forbidden(exc: Forbidden) -> HTTPException:
        return HTTPException(403, str(exc))

    @router.get("/api/documents")
    def documents(user: str = Depends(account)) -> list[dict[str, Any]]:  # noqa: B008
        try:
            return [row.__dict__ for row in service.documents(user)]
        except Forbidden as exc:
            raise forbidden(exc) from exc

    @router.post("/api/index")
    def run_index(rebuild: bool = False, user: str = Depends(account)) -> dict[str, str]:  # noqa: B008
        """200 {"result"} when done (or refused because a run is going on); a failed run is
        4xx/5xx {"detail"} with the admin's message, never a stack trace."""
        try:
            run = service.index_run(user, rebuild=rebuild)
        except Forbidden as exc:
            raise forbidden(exc) from exc
        if not run.ok:
            raise HTTPException(run.status, run.message)
        return {"result": run.message}

    @router.get("/api/gaps")
    def gaps(user: str = Depends(account)) -> list[dict[str, Any]]:  # noqa: B008
        """What citizens miss: groups of scrubbed questions with counts and languages."""
        try:
            return [group.public() for group in service.gaps(user)]
        except Forbidden as exc:
            raise forbidden(exc) from exc

    @router.post("/api/gaps/delete")
    def delete_gaps(ids: list[str], user: str = Depends(account)) -> dict[str, int]:  # noqa: B008
        """Delete gap records by id (at most 1000 per call)."""
        if len(ids) > 1000 or any(len(i) > 64 for i in ids):
            raise HTTPException(422, "Zu viele oder ungültige Einträge.")
        try:
            return {"deleted": service.delete_gaps(user, ids)}
        except Forbidden as exc:
            raise forbidden(exc) from exc

    @router.get("/api/download/{name}")
    def download(name: str, user: str = Depends(account)) -> Response:  # noqa: B008
        try:
            filename, data = service.download(user, name)
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except ValueError as exc:
            raise HTTPException(404, str(exc)) from exc
        return Response(
            data,
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )

    return router
