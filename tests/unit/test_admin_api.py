"""The staff HTTP API: 401 without login, 403 for the wrong role, safe downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.staff.admin_api import admin_api_router
from bot.staff.admin_service import AdminService
from bot.staff.audit import AuditLog
from bot.staff.users import UserStore
from bot.web.auth import Authenticator, LoginGuard

ADMIN = ("anna", "admin-passwort-1")
STAFF = ("ben", "staff-passwort-2")


@pytest.fixture
def client(settings: Settings, tmp_path: Path) -> TestClient:
    users = UserStore(tmp_path / "users.json")
    users.add(ADMIN[0], "admin", ADMIN[1])
    users.add(STAFF[0], "staff", STAFF[1])
    audit = AuditLog(tmp_path / "audit.jsonl")
    (settings.corpus_dir / "kurs.md").write_text("# Kurs\n\nDer Kurs hat 600 Stunden.")
    (settings.corpus_dir / "seite.html").write_text("<script>alert(1)</script><p>Hallo</p>")
    service = AdminService(settings, users, audit)
    app = FastAPI()
    app.include_router(
        admin_api_router(service, Authenticator(users, LoginGuard(), audit)), prefix="/admin"
    )
    return TestClient(app)


def test_requires_login(client: TestClient) -> None:
    for method, url in [("get", "/admin/api/documents"), ("post", "/admin/api/index")]:
        response = getattr(client, method)(url)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Basic")
    assert client.get("/admin/api/documents", auth=("anna", "falsch")).status_code == 401


def test_staff_may_list_but_not_rebuild(client: TestClient) -> None:
    listed = client.get("/admin/api/documents", auth=STAFF)
    assert listed.status_code == 200
    assert {d["name"] for d in listed.json()} == {"kurs.md", "seite.html"}
    assert client.post("/admin/api/index", auth=STAFF).status_code == 403


def test_admin_rebuilds(client: TestClient) -> None:
    response = client.post("/admin/api/index", params={"rebuild": "true"}, auth=ADMIN)
    assert response.status_code == 200
    assert "2 Dokumente" in response.json()["result"]
    statuses = {
        d["name"]: d["status"] for d in client.get("/admin/api/documents", auth=ADMIN).json()
    }
    assert statuses == {"kurs.md": "im Index", "seite.html": "im Index"}


def test_uploaded_html_is_never_served_as_a_page(client: TestClient) -> None:
    response = client.get("/admin/api/download/seite.html", auth=STAFF)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/admin/api/download/..%2F..%2Fetc%2Fpasswd", auth=STAFF).status_code in {
        404,
        400,
    }


def test_full_disk_is_a_clear_error_and_audited(
    client: TestClient, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import FakeEmbeddings

    assert client.post("/admin/api/index", auth=ADMIN).status_code == 200

    def full(self: FakeEmbeddings, texts: list[str]) -> list[list[float]]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FakeEmbeddings, "embed_documents", full)
    response = client.post("/admin/api/index", params={"rebuild": "true"}, auth=ADMIN)
    assert response.status_code == 507
    detail = response.json()["detail"]
    assert "kein Speicherplatz" in detail and "bisherige Index bleibt aktiv" in detail
    assert "Traceback" not in response.text and str(tmp_path) not in response.text
    records = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    failed = [r for r in records if r["action"] == "index-rebuild-failed"]
    assert len(failed) == 1 and "kein Speicherplatz" in failed[0]["detail"]["reason"]
    statuses = {d["status"] for d in client.get("/admin/api/documents", auth=ADMIN).json()}
    assert statuses == {"im Index"}, "the old index keeps serving"


def test_unexpected_index_error_is_a_500_message_and_audited(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise TypeError("internal detail /srv/secret/path")

    monkeypatch.setattr("bot.staff.admin_service.build_index", bug)
    response = client.post("/admin/api/index", auth=ADMIN)
    assert response.status_code == 500
    assert "TypeError" in response.json()["detail"]
    assert "/srv/secret" not in response.text and "Traceback" not in response.text
    audit = (tmp_path / "audit.jsonl").read_text()
    assert '"action": "index-update-failed"' in audit
