"""`POST /api/ask` on the real server (real e5 model, real Chroma, the app's middlewares)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


def test_real_server_answers_with_the_cli_contract(live_server) -> None:
    url = f"{live_server.url}/api/ask"
    response = httpx.post(url, json={"question": "Was kostet die Einbürgerung?"}, timeout=60)
    assert response.status_code == 200
    body = response.json()
    assert body["refused"] is False and body["language"] == "de"
    assert "255 Euro" in body["answer"]
    assert body["sources"][0]["source"] == "einbuergerung.md"
    assert body["sources"][0]["updated"] == "2026-09-15"

    follow_up = httpx.post(
        url,
        json={
            "question": "Und welches Sprachniveau brauche ich?",
            "history": [{"question": "Was kostet die Einbürgerung?", "answer": body["answer"]}],
        },
        timeout=60,
    )
    assert follow_up.status_code == 200 and "B1" in follow_up.json()["answer"]

    weather = httpx.post(url, json={"question": "Wie wird das Wetter morgen?"}, timeout=60)
    assert weather.status_code == 200 and weather.json()["refused"] is True


def test_real_server_refuses_malformed_requests_clearly(live_server) -> None:
    url = f"{live_server.url}/api/ask"
    huge = httpx.post(url, json={"question": "Frage " * 20_000}, timeout=60)
    assert huge.status_code == 422 and "höchstens 1000 Zeichen" in huge.json()["detail"]
    assert len(huge.content) < 500
    wrong = httpx.post(url, json={"question": 1}, timeout=60)
    assert wrong.status_code == 422 and "question muss Text sein" in wrong.json()["detail"]
    form = httpx.post(url, files={"question": ("q.txt", b"Kosten?")}, timeout=60)
    assert form.status_code == 403, "a multipart body under / is refused before anything"
