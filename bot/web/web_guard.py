"""HTTP-level rules in front of both Gradio apps (citizen chat at `/`, staff area at `/admin`).

- Citizens never upload: the citizen app's upload routes and every multipart body under `/`
  get 403 before Gradio stores anything (Gradio would accept any size and never delete it).
- Uploads to the staff area need a `Content-Length` within `max_upload_bytes` (411/413
  before the body is read); the paths the upload route answers with are recorded in
  `StaffUploads`, the only files the staff handlers will use.
- An unknown `fn_index` gets 404 instead of Gradio's 500 with a traceback in the log.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from bot.staff.uploads import StaffUploads

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API = "/gradio_api"
UPLOAD_ROUTES = {f"{API}/upload", f"{API}/process_recording"}
_EVENT_PREFIXES = (f"{API}/run/", f"{API}/api/", f"{API}/call/")
_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _normalise(path: str) -> str:
    """Collapse `//` and `..` so `/admin/../gradio_api/upload` is judged as what it means."""
    norm = posixpath.normpath("/" + path.lstrip("/"))
    return "/" + norm.lstrip("/")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """Pure ASGI middleware (no body buffering except for the small event-call JSON)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        staff_prefix: str,
        staff_blocks: Any,
        citizen_blocks: Any,
        uploads: StaffUploads,
        max_upload_bytes: int,
    ) -> None:
        self.app = app
        self.staff_prefix = staff_prefix.rstrip("/")
        self.staff_blocks = staff_blocks
        self.citizen_blocks = citizen_blocks
        self.uploads = uploads
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("path", "")
        norm = _normalise(raw)
        prefix = self.staff_prefix + "/"
        staff = raw.startswith(prefix) and norm.startswith(prefix)
        route = (norm[len(self.staff_prefix) :] if staff else norm).rstrip("/") or "/"
        method = scope.get("method", "GET")
        multipart = (_header(scope, b"content-type") or "").lower().startswith("multipart/")

        if not staff:
            if route in UPLOAD_ROUTES or (multipart and method in _BODY_METHODS):
                await _plain(send, 403, "Hochladen ist hier nicht möglich.")
                return
        elif route in UPLOAD_ROUTES or (multipart and method in _BODY_METHODS):
            refusal = self._size_refusal(scope)
            if refusal:
                await _plain(send, *refusal)
                return
            if route == f"{API}/upload" and method == "POST":
                send = self._recording(send)

        if method == "POST" and (route == f"{API}/queue/join" or route.startswith(_EVENT_PREFIXES)):
            blocks = self.staff_blocks if staff else self.citizen_blocks
            receive, known = await self._check_fn_index(receive, blocks)
            if not known:
                await _plain(send, 404, "Unbekannte Funktion.")
                return
        await self.app(scope, receive, send)

    def _size_refusal(self, scope: Scope) -> tuple[int, str] | None:
        length = _header(scope, b"content-length")
        if length is None:
            return 411, "Bitte mit Content-Length hochladen."
        try:
            size = int(length)
        except ValueError:
            return 400, "Ungültige Content-Length."
        if size > self.max_upload_bytes:
            limit = self.max_upload_bytes / 1048576
            return 413, f"Zu groß: höchstens {limit:.0f} MB je Upload."
        return None

    def _recording(self, send: Send) -> Send:
        """Pass the upload route's answer through, recording the stored paths before the
        client sees them (so the client can only name them after they are recorded)."""
        status = 0
        parts: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 200:
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    try:
                        paths = json.loads(b"".join(parts))
                    except ValueError:
                        paths = []
                    if isinstance(paths, list):
                        self.uploads.record([p for p in paths if isinstance(p, str)])
            await send(message)

        return wrapped

    async def _check_fn_index(self, receive: Receive, blocks: Any) -> tuple[Receive, bool]:
        """Read the JSON body, check `fn_index`, and hand the same body on to Gradio."""
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        known = True
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None  # Gradio answers malformed JSON with 422 itself
        if isinstance(data, dict):
            fn_index = data.get("fn_index")
            if isinstance(fn_index, int) and not isinstance(fn_index, bool):
                known = fn_index in blocks.fns

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        return replay, known
