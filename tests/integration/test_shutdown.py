"""A real `python app.py` honours SIGTERM within 5 s, even while a browser holds a stream open."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import free_port, write_corpus

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_stops_app_within_5_seconds_with_a_client_connected(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env.update(
        HF_HUB_OFFLINE="1",
        PYTHONPATH=str(ROOT),
        BOT_CORPUS_DIR=str(write_corpus(tmp_path / "corpus")),
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
        stderr=subprocess.DEVNULL,
    )
    client = None
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the app exited during start-up"
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.2)
        # what an open chat page keeps: Gradio's heartbeat stream, which never ends by itself
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(
            f"GET /gradio_api/heartbeat/abcdef123456 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        client.settimeout(10)
        assert client.recv(200).startswith(b"HTTP/1.1 200"), "the stream is open"
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail("the app was still running 5 s after SIGTERM")
        assert time.monotonic() - sent < 5
    finally:
        if client is not None:
            client.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
