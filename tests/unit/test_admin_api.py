"""The staff HTTP API: 401 without login, 403 for the wrong role, safe downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.admin_api import admin_api_router
from bot.admin_service import AdminService
from bot.audit import AuditLog
from bot.auth import Authenticator, LoginGuard, UserStore
from bot.config import Settings

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
