"""Entry point: `python app.py` serves the citizen chat (and the staff area at /admin).

On a fresh clone it builds the index from the bundled corpus first. Importing this module
does nothing: `main` opens the port at once and builds the app in a thread (issue 17):
the JSON answers (`/api/ask`) as soon as the index and the model are loaded, the chat page
and the staff area once Gradio has been imported and built; until then the page says that
the chat is starting (503). `create_app` builds the whole app in one go (for tests).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from bot.config import Settings, load_settings

SHUTDOWN_SECONDS = 3  # open requests get this long after SIGTERM (issue 17: exit within 5 s)

log = logging.getLogger("app")


def create_app(settings: Settings | None = None) -> tuple[Any, Any]:
    """(FastAPI app with chat at / and staff area at /admin, citizen Blocks)."""
    from bot.web.server import create_server

    return create_server(settings or load_settings())


def build_in_stages(settings: Settings, staged: Any, server: Any, failed: list[str]) -> None:
    """The builder thread: first what answers, then the pages. A failure stops the server
    (exit code 1) with the reason in the log, as a failure before the port opened did."""
    try:
        from bot.web.server import create_server, start_answering

        assistant, controller, api = start_answering(settings)
        staged.serve_early("/api", api)
        log.info("answering at /api/ask; building the chat page")
        app, _ = create_server(settings, assistant, controller)
        staged.serve_full(app)
        log.info("chat page ready")
    except Exception as exc:
        from bot.indexing.build import IndexProblem

        if isinstance(exc, IndexProblem):
            log.error("cannot start: %s", exc)
        else:
            log.exception("cannot start")
        failed.append(str(exc))
        server.should_exit = True


def main() -> None:
    import uvicorn

    from bot.i18n import ui_text
    from bot.web.starting import StagedApp

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings()
    staged = StagedApp(ui_text("page_title", "de"))
    server = uvicorn.Server(
        uvicorn.Config(
            staged,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            # X-Forwarded-For is believed only from these proxies (docs/deployment.md)
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            # An open chat page holds a never-ending stream (Gradio's heartbeat); without a
            # limit uvicorn waits for it on SIGTERM and the app ignored the signal for > 30 s.
            timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        )
    )
    failed: list[str] = []
    threading.Thread(
        target=build_in_stages,
        args=(settings, staged, server, failed),
        name="app-builder",
        daemon=True,
    ).start()
    print(f"KI-Bot: http://{settings.host}:{settings.port}/  (Verwaltung: /admin)", flush=True)
    server.run()
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
