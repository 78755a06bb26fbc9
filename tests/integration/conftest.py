"""Real servers for integration tests: the whole app (chat + staff area) on loopback."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests.browser import CHROMIUM, launch_chromium

DOCS = {
    "einbuergerung.md": "---\ntitle: Einbürgerung\nupdated: 2026-09-15\n"
    "url: https://www.rhein-sieg-kreis.de/\n---\n# Einbürgerung\n\n## Kosten\n"
    "Die Gebühr für die Einbürgerung beträgt 255 Euro für Erwachsene.\n\n"
    "## Sprache\nSie brauchen Deutschkenntnisse auf dem Niveau B1.\n",
    "schule.md": "---\ntitle: Schulanmeldung\nupdated: 2026-08-01\n---\n# Schulanmeldung\n\n"
    "## Anmeldung\nNeu zugewanderte Kinder werden über das Kommunale Integrationszentrum an "
    "einer Schule angemeldet. In Nordrhein-Westfalen gilt die Schulpflicht.\n",
    "kurs.md": "---\ntitle: Integrationskurs\nupdated: 2026-09-01\n---\n# Integrationskurs\n\n"
    "## Dauer\nDer Sprachkurs im Integrationskurs hat in der Regel 600 Unterrichtsstunden.\n",
    "ukraine.md": "---\ntitle: Ukraine\nupdated: 2026-07-01\n---\n# Ukraine\n\n## Schutz\n"
    "Menschen aus der Ukraine erhalten vorübergehenden Schutz nach § 24 Aufenthaltsgesetz.\n",
}


def small_settings(root: Path, corpus: Path, **overrides: object) -> Settings:
    """Settings for a live server on a small test corpus: all state under `root`, fake
    embeddings (no model loaded), no .env, a rate limit no test reaches."""
    values: dict[str, object] = {
        "corpus_dir": corpus,
        "index_dir": root / "index",
        "data_dir": root / "data",
        "users_file": root / "data" / "users.json",
        "embedding_model": "fake",
        "requests_per_minute": 1000,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg, arg-type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from bot.web.server import create_server

        self.settings = settings
        self.app, self.demo = create_server(settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def server_settings(root: Path, **overrides: object) -> Settings:
    """Settings for a real server whose corpus, index, data and accounts live under `root`."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=write_corpus(root / "corpus"),
        index_dir=root / "index",
        data_dir=root / "data",
        users_file=root / "data" / "users.json",
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app (real e5 model, real Chroma, real Gradio) with one admin and one staff."""
    from bot.staff.users import UserStore

    settings = server_settings(tmp_path_factory.mktemp("live"), requests_per_minute=1000)
    users = UserStore(settings.users_file)
    users.add("admin", "admin", "admin-passwort-123")
    users.add("redaktion", "staff", "staff-passwort-456")
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (which never downloads a browser here)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make browser-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
