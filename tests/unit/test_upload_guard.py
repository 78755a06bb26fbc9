"""Staff uploads without a server: the bounded reader, the list of stored uploads, the
upload component, and messages to staff without server paths."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from bot.config import Settings
from bot.staff.admin_service import AdminService, public_text
from bot.staff.audit import AuditLog
from bot.staff.corpus_admin import UploadError
from bot.staff.uploads import NotUploaded, StaffUploads, read_bounded
from bot.staff.users import UserStore

MB = 1024 * 1024


def test_bounded_reader_refuses_devices_fifos_links_and_big_files(tmp_path: Path) -> None:
    sparse = tmp_path / "gross.txt"
    with open(sparse, "wb") as handle:
        handle.truncate(8 * 1024 * MB)  # 8 GB that take no disk space
    fifo = tmp_path / "rohr.txt"
    os.mkfifo(fifo)  # no writer: a plain open() would wait forever
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "ok.txt")
    (tmp_path / "ok.txt").write_bytes(b"x" * MB)

    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UploadError, match="zu groß"):
        read_bounded(sparse, 20 * MB)
    for path in ("/dev/zero", fifo):
        with pytest.raises(UploadError, match="keine gewöhnliche Datei"):
            read_bounded(path, 20 * MB)
    with pytest.raises(UploadError, match="kann nicht gelesen"):
        read_bounded(link, 20 * MB)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.perf_counter() - started < 2
    assert peak < MB, f"nothing was read into memory (peak {peak} bytes)"

    assert read_bounded(tmp_path / "ok.txt", MB) == b"x" * MB, "exactly the limit is fine"
    with pytest.raises(UploadError, match="zu groß"):
        read_bounded(tmp_path / "ok.txt", MB - 1)


def test_only_recorded_uploads_are_taken_and_then_deleted(tmp_path: Path) -> None:
    root = tmp_path / "gradio"
    stored = root / "a" / "brief.txt"
    stored.parent.mkdir(parents=True)
    stored.write_text("Hallo", encoding="utf-8")
    other = root / "b" / "fremd.txt"  # in the folder, but no upload answered with it
    other.parent.mkdir()
    other.write_text("fremd", encoding="utf-8")
    outside = tmp_path / "geheim.txt"
    outside.write_text("geheim", encoding="utf-8")
    (root / "c").mkdir()
    (root / "c" / "link.txt").symlink_to(outside)

    uploads = StaffUploads(root)
    uploads.record([str(stored), str(outside), str(root / "c" / "link.txt")])
    assert uploads.is_known(stored)
    for path in (other, outside, root / "c" / "link.txt", root / "a" / ".." / "b" / "fremd.txt"):
        assert not uploads.is_known(path), path
        with pytest.raises(NotUploaded):
            uploads.take(path, MB)
    assert outside.read_text(encoding="utf-8") == "geheim"

    assert uploads.take(str(root / "b" / ".." / "a" / "brief.txt"), MB) == b"Hallo"
    assert not stored.exists() and not stored.parent.exists(), "deleted once used"
    with pytest.raises(NotUploaded):
        uploads.take(stored, MB)


def test_refused_upload_is_deleted_too_and_stale_ones_expire(tmp_path: Path) -> None:
    root = tmp_path / "gradio"
    (root / "x").mkdir(parents=True)
    big = root / "x" / "gross.txt"
    big.write_bytes(b"y" * (2 * MB))
    uploads = StaffUploads(root, max_age_seconds=0.0)
    uploads.record([str(big)])
    with pytest.raises(UploadError, match="zu groß"):
        uploads.take(big, MB)
    assert not big.exists()

    old = root / "y" / "alt.txt"
    old.parent.mkdir()
    old.write_text("alt", encoding="utf-8")
    uploads.record([str(old)])
    time.sleep(0.01)
    uploads.record([])  # any later upload clears the stale ones
    assert not old.exists() and not uploads.is_known(old)


def test_staff_files_component_refuses_foreign_paths_before_copying(tmp_path: Path) -> None:
    import gradio as gr
    from gradio.data_classes import FileData, ListFiles

    from bot.staff.admin_ui import staff_files

    root = tmp_path / "gradio"
    (root / "a").mkdir(parents=True)
    stored = root / "a" / "brief.txt"
    stored.write_text("Hallo", encoding="utf-8")
    uploads = StaffUploads(root)
    uploads.record([str(stored)])
    component = staff_files(uploads, file_count="multiple", type="filepath")
    component.GRADIO_CACHE = str(root)

    for path in ("/etc/passwd", "/dev/zero", "https://example.org/x.txt"):
        with pytest.raises(gr.Error):
            component.move_resource_to_block_cache(path)
    assert component.move_resource_to_block_cache(str(stored)) == str(stored)

    payload = ListFiles(root=[FileData(path=str(stored), orig_name="Brief Ä.txt")])
    before = sorted(root.rglob("*"))
    assert component.preprocess(payload) == [(str(stored), "Brief Ä.txt")]
    assert sorted(root.rglob("*")) == before, "gr.File leaves an empty temp file per file"


def test_messages_to_staff_have_no_server_paths(settings: Settings, tmp_path: Path) -> None:
    settings.index_dir.mkdir(parents=True)
    (settings.index_dir / "CURRENT").write_text("g-1\n", encoding="utf-8")
    (settings.index_dir / "g-1").mkdir()
    (settings.index_dir / "g-1" / "manifest.json").write_text("{kaputt", encoding="utf-8")
    users = UserStore(tmp_path / "users.json")
    users.add("anna", "admin", "sehr-geheim-123")
    service = AdminService(settings, users, AuditLog(tmp_path / "audit.jsonl"))

    messages = [service.index_statistics(), service.index_run("anna").message]
    for message in messages:
        assert "beschädigt" in message or "corrupt" in message
        assert str(tmp_path) not in message and "manifest.json" not in message, message
        assert "<Index-Ordner>" in message

    assert public_text("Permission denied: '/srv/kibot/data/users.json'", settings) == (
        "Permission denied: '…'"
    )
    assert public_text("Neu 20 MB/s und/oder mehr.", settings) == "Neu 20 MB/s und/oder mehr."
