"""A real `python app.py` opens its port at once: a starting page, then answers at
`/api/ask` before the chat page is built, then the chat page; a start that cannot work
ends the process with exit code 1 and the reason in the log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import free_port, write_corpus

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def start_app(tmp_path: Path, corpus: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
        BOT_CORPUS_DIR=str(corpus),
        BOT_INDEX_DIR=str(tmp_path / "index"),
        BOT_DATA_DIR=str(tmp_path / "data"),
        BOT_USERS_FILE=str(tmp_path / "data" / "users.json"),
        BOT_PORT=str(port),
    )
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return proc, port


def test_answers_come_before_the_chat_page(tmp_path: Path) -> None:
    proc, port = start_app(tmp_path, write_corpus(tmp_path / "corpus"))
    url = f"http://127.0.0.1:{port}"
    question = {"question": "Was kostet die Einbürgerung?"}
    seen: list[tuple[str, int]] = []  # (what, status) whenever a status changed
    answer = None
    try:
        deadline = time.monotonic() + 300
        while not seen or seen[-1] != ("page", 200):
            assert proc.poll() is None, "the app exited during start-up"
            assert time.monotonic() < deadline, f"the app did not get ready: {seen}"
            try:
                # the API first: when the page answers 200, the API's status is already known
                api = httpx.post(f"{url}/api/ask", json=question, timeout=30)
                page = httpx.get(f"{url}/", timeout=30)
            except httpx.HTTPError:
                time.sleep(0.05)
                continue
            if api.status_code == 200:
                answer = api.json()
            elif api.status_code != 503:
                pytest.fail(f"/api/ask answered {api.status_code} during start-up")
            if page.status_code == 503:
                assert "Der Chat startet gerade" in page.text
                assert page.headers["retry-after"]
            for status in (("api", api.status_code), ("page", page.status_code)):
                if status not in seen:
                    seen.append(status)
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(20)
    assert seen[:2] == [("api", 503), ("page", 503)], "the port served before anything else"
    assert seen.index(("api", 200)) < seen.index(("page", 200)), "answers before the page"
    assert answer is not None and "255 Euro" in answer["answer"]


def test_start_that_cannot_work_exits_with_the_reason(tmp_path: Path) -> None:
    """No index and no corpus to build one from: exit code 1, the reason in the log."""
    proc, _ = start_app(tmp_path, tmp_path / "missing-corpus")
    try:
        code = proc.wait(120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 1
    assert proc.stderr is not None
    log = proc.stderr.read().decode("utf-8", "replace")
    assert "cannot start: Corpus folder not found" in log
    assert "Traceback" not in log, "a known problem is one clear line"
