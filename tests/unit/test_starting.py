"""The port serves at once: a starting page (503), then the JSON API, then the whole app
with its lifespan (Gradio starts its queue there), which also ends with the server's."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.web.starting import StagedApp


def small_app(text: str, events: list[str] | None = None, fail: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if fail:
            raise RuntimeError("queue did not start")
        if events is not None:
            events.append(f"{text} started")
        yield
        if events is not None:
            events.append(f"{text} stopped")

    app = FastAPI(lifespan=lifespan)

    @app.get("/{path:path}")
    def anything(path: str) -> dict[str, str]:
        return {"app": text, "path": path}

    return app


def test_starting_page_until_parts_are_ready() -> None:
    staged = StagedApp("KI-Bot <Test>")
    with TestClient(staged) as client:
        page = client.get("/")
        assert page.status_code == 503
        assert page.headers["retry-after"] == "2"
        assert "Der Chat startet gerade" in page.text
        assert "KI-Bot &lt;Test&gt;" in page.text, "the title is escaped"
        assert client.get("/api/ask").status_code == 503
        assert client.get("/admin/").status_code == 503

        staged.serve_early("/api", small_app("api"))
        assert client.get("/api/ask").json() == {"app": "api", "path": "api/ask"}
        assert client.get("/apiary").status_code == 503, "only the prefix's own paths"
        assert client.get("/").status_code == 503
        assert not staged.ready


def test_full_app_gets_its_lifespan_and_every_request() -> None:
    events: list[str] = []
    staged = StagedApp()
    with TestClient(staged) as client:
        staged.serve_early("/api", small_app("api"))
        builder = threading.Thread(target=staged.serve_full, args=(small_app("full", events),))
        builder.start()
        builder.join(10)
        assert staged.ready and events == ["full started"]
        assert client.get("/").json()["app"] == "full"
        assert client.get("/api/ask").json()["app"] == "full", "the full app serves the API too"
    assert events == ["full started", "full stopped"], "its lifespan ends with the server's"


def test_failed_startup_of_the_full_app_reaches_the_builder() -> None:
    staged = StagedApp()
    with TestClient(staged) as client:
        with pytest.raises(RuntimeError, match="queue did not start"):
            staged.serve_full(small_app("full", fail=True))
        assert not staged.ready
        assert client.get("/").status_code == 503


def test_full_app_waits_for_the_server() -> None:
    """The builder may finish before uvicorn has started its loop: it waits, then fails
    clearly when the server never comes."""
    with pytest.raises(RuntimeError, match="did not start"):
        StagedApp().serve_full(small_app("full"), timeout=0.1)
