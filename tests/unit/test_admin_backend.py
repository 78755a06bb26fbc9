"""Accounts, login throttling, audit log and validated uploads (no web server needed)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index
from bot.staff.audit import AuditLog
from bot.staff.corpus_admin import (
    NeedsConfirmation,
    UploadError,
    delete_document,
    expiring_documents,
    list_documents,
    sanitize_filename,
    save_upload,
)
from bot.staff.users import AuthConfigError, UserStore
from bot.web.auth import Authenticator, LoginGuard


def test_passwords_are_hashed_and_checked(users: UserStore) -> None:
    raw = users.path.read_text(encoding="utf-8")
    assert "sehr-geheim-123" not in raw and "$2b$" in raw
    assert users.verify("anna", "sehr-geheim-123").role == "admin"
    assert users.verify("ben", "auch-geheim-456").role == "staff"
    assert users.verify("anna", "falsch") is None
    assert users.verify("niemand", "sehr-geheim-123") is None


def test_plain_text_password_in_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps({"users": [{"name": "x", "role": "admin", "password_hash": "pw"}]}))
    with pytest.raises(AuthConfigError, match="Klartext"):
        UserStore(path).verify("x", "pw")
    path.write_text(json.dumps({"users": [{"name": "x", "role": "root", "password_hash": "$2b$"}]}))
    with pytest.raises(AuthConfigError, match="role"):
        UserStore(path).verify("x", "pw")


def test_failed_logins_are_limited_and_audited(users: UserStore, tmp_path: Path) -> None:
    now = [0.0]
    audit = AuditLog(tmp_path / "audit.jsonl")
    auth = Authenticator(users, LoginGuard(clock=lambda: now[0]), audit)
    assert [auth.check("anna", "wrong") for _ in range(5)] == [False] * 5
    assert not auth.check("anna", "sehr-geheim-123"), "locked even with the right password"
    assert auth.check("ben", "auch-geheim-456"), "other accounts still work"
    now[0] += 15 * 60 + 1
    assert auth.check("anna", "sehr-geheim-123")
    actions = [r["action"] for r in audit.recent(20)]
    assert actions.count("login-failed") == 5 and "login-blocked" in actions
    assert "sehr-geheim" not in audit.path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\windows\\evil.txt", "evil.txt"),
        ("Einbürgerung Merkblatt (neu).PDF", "Einbuergerung-Merkblatt-neu.pdf"),
        (".htaccess.md", "htaccess.md"),
        ("a" * 300 + ".md", "a" * 80 + ".md"),
    ],
)
def test_sanitize_filename(name: str, expected: str) -> None:
    assert sanitize_filename(name) == expected


@pytest.mark.parametrize("name", ["", "../", "...", "con.md", "/"])
def test_sanitize_rejects_empty_or_reserved(name: str) -> None:
    with pytest.raises(UploadError):
        sanitize_filename(name)


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (210 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bild.svg", b"<svg onload=alert(1)>", "nicht erlaubt"),
        ("seite.exe", b"MZ", "nicht erlaubt"),
        ("leer.md", b"", "leer"),
        ("falsch.pdf", b"<html>no pdf</html>", "kein PDF"),
        ("bombe.docx", None, "ZIP-Bombe"),
        ("binaer.txt", bytes(range(256)) * 8, "Binärdaten"),
    ],
)
def test_hostile_uploads_are_refused(settings: Settings, name: str, data, reason: str) -> None:
    with pytest.raises(UploadError, match=reason):
        save_upload(settings, name, zip_bomb() if data is None else data)
    assert not any(settings.corpus_dir.iterdir()), "nothing reaches the corpus"


def test_upload_size_limit(settings: Settings) -> None:
    small = settings.model_copy(update={"max_file_mb": 0.001})
    with pytest.raises(UploadError, match="zu groß"):
        save_upload(small, "gross.md", b"x" * 5000)


def test_upload_overwrite_needs_confirmation(settings: Settings) -> None:
    assert save_upload(settings, "../kurs.md", b"# Kurs\n\nAlt.") == "kurs.md"
    assert (settings.corpus_dir / "kurs.md").exists()
    assert not (settings.corpus_dir.parent / "kurs.md").exists()
    with pytest.raises(NeedsConfirmation):
        save_upload(settings, "kurs.md", b"# Kurs\n\nNeu.")
    save_upload(settings, "kurs.md", b"# Kurs\n\nNeu.", replace=True)
    assert "Neu" in (settings.corpus_dir / "kurs.md").read_text(encoding="utf-8")


def test_delete_cannot_escape_corpus(settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "wichtig.md"
    outside.write_text("bleibt", encoding="utf-8")
    with pytest.raises(UploadError):
        delete_document(settings, "../wichtig.md")
    assert outside.exists()


def test_listing_shows_index_status_and_expiry(settings: Settings) -> None:
    save_upload(
        settings, "alt.md", b"---\ntitle: Alt\nvalid_until: 2020-01-01\n---\n# Alt\n\nText."
    )
    build_index(settings, make_embedder("fake"))
    save_upload(settings, "neu.md", b"# Neu\n\nText.")
    rows = {r.name: r for r in list_documents(settings)}
    assert rows["alt.md"].status == "im Index" and rows["alt.md"].title == "Alt"
    assert rows["neu.md"].status.startswith("neu")
    expiring = expiring_documents(settings)
    assert expiring == [{"source": "alt.md", "valid_until": "2020-01-01", "state": "abgelaufen"}]


def test_cli_user_add_stores_only_a_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    users_file = tmp_path / "accounts.json"
    monkeypatch.setenv("BOT_USERS_FILE", str(users_file))
    monkeypatch.setattr("sys.stdin", io.StringIO("ein-langes-passwort\n"))
    assert main(["user", "add", "clara", "--role", "admin", "--password-stdin"]) == 0
    assert "ein-langes-passwort" not in users_file.read_text(encoding="utf-8")
    assert UserStore(users_file).verify("clara", "ein-langes-passwort").is_admin
    monkeypatch.setattr("sys.stdin", io.StringIO("kurz\n"))
    assert main(["user", "add", "dora", "--password-stdin"]) == 1
