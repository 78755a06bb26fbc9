"""Uploads on the real server (uvicorn on loopback, real Gradio): staff events take only files
the staff upload route stored, citizens cannot upload, sizes are limited at the HTTP layer,
temp files are removed, an unknown fn_index is a 404 without a traceback."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import LiveServer, server_settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
STAFF = ("redaktion", "staff-passwort-456")
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Small limits (1 MB a file, 2 MB a request) and the fast fake embedder."""
    from bot.staff.users import UserStore

    root = tmp_path_factory.mktemp("uploads")
    settings = server_settings(
        root,
        embedding_model="fake",
        max_file_mb=1,
        max_upload_mb=2,
    )
    UserStore(settings.users_file).add(*STAFF[:1], "staff", STAFF[1])
    with LiveServer(settings) as live:
        yield live


def upload_root() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def stored_with(marker: bytes, since: float, planted: Path | None = None) -> list[Path]:
    """Files in Gradio's upload folder written since `since` that contain `marker`."""
    found = []
    for path in upload_root().rglob("*"):
        if path == planted:
            continue
        with contextlib.suppress(OSError):
            info = path.lstat()
            if path.is_file() and info.st_mtime >= since - 1 and info.st_size < 4 * MB:
                if marker in path.read_bytes():
                    found.append(path)
    return found


def staff_client(server: LiveServer) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=20)
    response = client.post("/admin/login/", data={"username": STAFF[0], "password": STAFF[1]})
    assert response.status_code == 200, response.text
    return client


def fn_index(client: httpx.Client, api_name: str) -> int:
    config = client.get("/admin/config").json()
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == api_name)


def call_upload(client: httpx.Client, files: list[dict[str, str]], timeout: float = 20) -> dict:
    """The page's "Hochladen" event as the browser sends it; returns the final message."""
    session = uuid.uuid4().hex[:12]
    data = [[{**f, "meta": {"_type": "gradio.FileData"}} for f in files], False]
    body = {"data": data, "fn_index": fn_index(client, "upload"), "session_hash": session}
    joined = client.post("/admin/gradio_api/queue/join", json=body)
    assert joined.status_code == 200, joined.text
    with client.stream(
        "GET", "/admin/gradio_api/queue/data", params={"session_hash": session}, timeout=timeout
    ) as stream:
        for line in stream.iter_lines():
            if '"process_completed"' in line:
                import json

                return json.loads(line.removeprefix("data: "))
    raise AssertionError("no result")


def result_text(message: dict) -> str:
    output = message.get("output", {})
    return str(output.get("error") or (output.get("data") or [""])[0])


def test_upload_event_refuses_files_not_uploaded(server: LiveServer, tmp_path: Path) -> None:
    canary = f"GEHEIM-{secrets.token_hex(8)}"
    secret = tmp_path / "geheim.txt"
    secret.write_text(f"# Geheim\n\n{canary}\n", encoding="utf-8")
    foreign = upload_root() / secrets.token_hex(16) / "fremd.txt"  # there, but not uploaded
    foreign.parent.mkdir(parents=True)
    foreign.write_text(f"# Fremd\n\n{canary}\n", encoding="utf-8")
    corpus = server.settings.corpus_dir
    before = sorted(p.name for p in corpus.iterdir())
    started = time.time()
    client = staff_client(server)
    try:
        for path, name in (
            (secret, "geheim.txt"),
            (foreign, "fremd.txt"),
            (ROOT / "docs" / "deployment.md", "deployment.md"),
            (Path("/etc/passwd"), "passwd.txt"),
        ):
            message = call_upload(client, [{"path": str(path), "orig_name": name}])
            text = result_text(message)
            assert not message["success"] or "abgelehnt" in text, (path, text)
            assert "gespeichert" not in text, (path, text)
            assert str(path) not in text and str(tmp_path) not in text and "/tmp" not in text
            assert sorted(p.name for p in corpus.iterdir()) == before, path
        assert not stored_with(canary.encode(), started, foreign), "not copied into Gradio's cache"
        assert foreign.exists(), "a file the route did not store is not touched either"
    finally:
        foreign.unlink()
        foreign.parent.rmdir()


def test_upload_event_does_not_open_a_fifo(server: LiveServer, tmp_path: Path) -> None:
    fifo = tmp_path / "rohr.txt"
    os.mkfifo(fifo)  # like /dev/zero: reading it would never finish
    client = staff_client(server)
    started = time.perf_counter()
    try:
        message = call_upload(client, [{"path": str(fifo), "orig_name": "rohr.txt"}], timeout=15)
        assert not message["success"] or "abgelehnt" in result_text(message)
        assert time.perf_counter() - started < 10
    finally:  # unblock a reader, should there be one (on the unfixed code)
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_citizens_cannot_upload(server: LiveServer) -> None:
    marker = f"BUERGER-{secrets.token_hex(8)}".encode()
    started = time.time()
    for path in (
        "/gradio_api/upload",
        "/gradio_api/upload?upload_id=abc123",
        "//gradio_api/upload",
        "/gradio_api/process_recording",
        "/gradio_api/component_server",
    ):
        response = httpx.post(
            server.url + path, files={"files": ("brief.txt", marker * 1000)}, timeout=20
        )
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    assert not stored_with(marker, started), "nothing stored"
    assert httpx.get(server.url + "/").status_code == 200, "the chat itself still works"


def test_staff_uploads_are_limited_and_cleaned_up(server: LiveServer) -> None:
    marker = f"GROSS-{secrets.token_hex(8)}".encode()
    client = staff_client(server)
    started = time.time()
    url = "/admin/gradio_api/upload"
    request_too_big = client.post(url, files={"files": ("a.txt", marker * (3 * MB // len(marker)))})
    assert request_too_big.status_code == 413, request_too_big.text
    file_too_big = client.post(url, files={"files": ("b.txt", marker * (MB // len(marker) + 9000))})
    assert file_too_big.status_code == 413, file_too_big.text

    def chunked() -> Iterator[bytes]:  # no Content-Length: the size is not known in advance
        yield b"--x\r\nContent-Disposition: form-data; name=files; filename=c.txt\r\n\r\n"
        yield marker * 100_000
        yield b"\r\n--x--\r\n"

    unsized = client.post(
        url, content=chunked(), headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert unsized.status_code == 411, unsized.text
    assert not stored_with(marker, started), "refused uploads are not stored"

    text = "# Sprachcafé\n\nDonnerstags um 16 Uhr im Kreishaus.\n".encode()
    stored = client.post(url, files={"files": ("Sprachcafé.md", text)})
    assert stored.status_code == 200, stored.text
    [path] = stored.json()
    assert Path(path).read_bytes() == text
    message = call_upload(client, [{"path": path, "orig_name": "Sprachcafé.md"}])
    assert "Sprachcafe.md: gespeichert" in result_text(message), message
    assert (server.settings.corpus_dir / "Sprachcafe.md").read_bytes() == text
    assert not Path(path).exists() and not Path(path).parent.exists(), "temp file removed"
    again = call_upload(client, [{"path": path, "orig_name": "Sprachcafé.md"}])
    assert "gespeichert" not in result_text(again), "an upload is used once"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_unknown_fn_index_is_404_without_traceback(
    server: LiveServer, capfd: pytest.CaptureFixture[str]
) -> None:
    records = _Records()
    logging.getLogger("uvicorn.error").addHandler(records)
    try:
        staff = staff_client(server)
        session = uuid.uuid4().hex[:12]
        body = {"data": [], "fn_index": 999, "session_hash": session}
        for client, path in (
            (httpx.Client(base_url=server.url, timeout=20), "/gradio_api/queue/join"),
            (httpx.Client(base_url=server.url, timeout=20), "/gradio_api/run/predict"),
            (staff, "/admin/gradio_api/queue/join"),
            (staff, "/admin/gradio_api/run/predict"),
        ):
            response = client.post(path, json=body)
            assert response.status_code == 404, (path, response.status_code, response.text)
    finally:
        logging.getLogger("uvicorn.error").removeHandler(records)
    out, err = capfd.readouterr()
    logged = "\n".join(records.lines) + out + err
    assert "Traceback" not in logged and "KeyError" not in logged, logged[-2000:]
