"""Entry point: `python app.py` serves the citizen chat (and the staff area at /admin).

On a fresh clone it builds the index from the bundled corpus first. Importing this module
does nothing: the server (and a missing index) is built in `create_app`, called by `main`.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.config import Settings, load_settings

SHUTDOWN_SECONDS = 3  # open requests get this long after SIGTERM (issue 17: exit within 5 s)


def create_app(settings: Settings | None = None) -> tuple[Any, Any]:
    """(FastAPI app with chat at / and staff area at /admin, citizen Blocks)."""
    from bot.web.server import create_server

    return create_server(settings or load_settings())


def main() -> None:
    import uvicorn

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = load_settings()
    app, _ = create_app(settings)
    print(f"KI-Bot: http://{settings.host}:{settings.port}/  (Verwaltung: /admin)", flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        # X-Forwarded-For is believed only from these proxies (docs/deployment.md)
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # An open chat page holds a never-ending stream (Gradio's heartbeat); without a limit
        # uvicorn waits for it on SIGTERM and the app ignored the signal for over 30 s.
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )


if __name__ == "__main__":
    main()
