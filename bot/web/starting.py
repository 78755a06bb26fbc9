"""The port is served from the first second while the app is still being built.

Importing Gradio and building the pages takes several seconds (issue 17: about 4 s for the
import alone on a busy machine), and loading the index and the model takes a few more.
`StagedApp` is the ASGI app uvicorn serves at once. Until the full app is ready it answers:

- paths of an early app that is already ready (`serve_early`): the JSON answers at `/api`
  as soon as the assistant has loaded, before Gradio is even imported;
- everything else with 503, `Retry-After` and a small German page that reloads itself (a
  proxy or health check sees "not ready", a citizen sees that the chat is starting).

`serve_full` runs the full app's lifespan (Gradio starts its queue there) on the server's
event loop and then hands every request to it. On shutdown the full app's lifespan ends
as well. Nothing here imports FastAPI or Gradio.
"""

from __future__ import annotations

import asyncio
import html
import logging
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

RETRY_SECONDS = 2
LIFESPAN_SECONDS = 60.0  # the full app's startup (Gradio's queue) must not hang the builder

STARTING_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{seconds}">
<title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; margin: 2rem; color: #0f1f33">
<h1 style="font-size: 1.3rem">{title}</h1>
<p role="status">Der Chat startet gerade. Diese Seite lädt in wenigen Sekunden von selbst neu.</p>
</body></html>
"""


class _Lifespan:
    """Drives one ASGI app's lifespan protocol: startup now, shutdown later."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.started = asyncio.get_running_loop().create_future()
        self.stopped = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        self.task = asyncio.create_task(self._run())
        await self.inbox.put({"type": "lifespan.startup"})
        await self.started

    async def shutdown(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.stopped

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        scope["state"] = {}
        try:
            await self.app(scope, self.inbox.get, self._send)
        except Exception as exc:  # a failed startup must reach the builder
            if not self.started.done():
                self.started.set_exception(exc)
            else:
                log.exception("the app's lifespan failed")
        finally:
            if not self.started.done():
                self.started.set_exception(RuntimeError("the app ended its lifespan at startup"))
            if not self.stopped.done():
                self.stopped.set_result(None)

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            self.started.set_result(None)
        elif kind == "lifespan.startup.failed":
            self.started.set_exception(RuntimeError(message.get("message", "startup failed")))
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            self.stopped.set_result(None)


class StagedApp:
    """What uvicorn serves: a starting page, then early parts, then the full app."""

    def __init__(self, title: str = "KI-Bot") -> None:
        self.title = title
        self._early: dict[str, ASGIApp] = {}
        self._full: ASGIApp | None = None
        self._lifespan: _Lifespan | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._serving = threading.Event()  # set once the server's event loop runs

    @property
    def ready(self) -> bool:
        return self._full is not None

    def serve_early(self, prefix: str, app: ASGIApp) -> None:
        """Requests under `prefix` (e.g. "/api") go to `app` until the full app is ready.
        `app` must not need a lifespan of its own."""
        self._early = {**self._early, prefix.rstrip("/"): app}

    def serve_full(self, app: ASGIApp, timeout: float = LIFESPAN_SECONDS) -> None:
        """Called from the building thread: start `app`'s lifespan on the server's loop,
        then serve everything with it. Raises when its startup fails."""
        if not self._serving.wait(timeout):
            raise RuntimeError("the server did not start")
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(self._start_full(app), self._loop)
        future.result(timeout)

    async def _start_full(self, app: ASGIApp) -> None:
        lifespan = _Lifespan(app)
        await lifespan.startup()
        self._lifespan = lifespan
        self._full = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._own_lifespan(receive, send)
            return
        full = self._full
        if full is not None:
            await full(scope, receive, send)
            return
        path = scope.get("path", "")
        for prefix, app in self._early.items():
            if path == prefix or path.startswith(prefix + "/"):
                await app(scope, receive, send)
                return
        if scope["type"] == "http":
            await self._starting(send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})  # try again later

    async def _own_lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._loop = asyncio.get_running_loop()
                self._serving.set()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._lifespan is not None:
                    try:
                        await asyncio.wait_for(self._lifespan.shutdown(), 10)
                    except Exception:  # shutting down anyway; the log says why
                        log.exception("the app's shutdown failed")
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _starting(self, send: Send) -> None:
        body = STARTING_PAGE.format(seconds=RETRY_SECONDS, title=html.escape(self.title))
        data = body.encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(data)).encode()),
                    (b"retry-after", str(RETRY_SECONDS).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})
