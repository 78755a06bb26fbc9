"""`POST /api/ask`: the CLI's JSON contract over HTTP, with the chat's limits, and a clear
4xx for every malformed request (never the input echoed, never a stack trace)."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.answering.answer import Answer
from bot.config import Settings
from bot.staff.gaps import gaps_path, read_gaps
from bot.web.chat_ui import ChatController, ChatSession
from bot.web.citizen_api import MAX_BODY_BYTES, MAX_TURNS, citizen_api_router
from tests.conftest import OneAnswer


def make_client(settings: Settings, assistant: object) -> tuple[TestClient, ChatController]:
    controller = ChatController(settings, assistant)  # type: ignore[arg-type]
    app = FastAPI()
    app.include_router(citizen_api_router(controller), prefix="/api")
    return TestClient(app, raise_server_exceptions=False), controller


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return make_client(settings, OneAnswer())[0]


def test_answer_is_the_cli_contract(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "Was kostet die Einbürgerung?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"question", "answer", "refused", "language", "sources", "seconds"}
    assert body["answer"] == "Die Gebühr beträgt 255 Euro." and body["refused"] is False
    assert body["sources"][0]["source"] == "einbuergerung.md"
    assert body["sources"][0]["excerpt"] == "255 Euro"


def test_history_reaches_the_assistant_as_the_last_five_turns(settings: Settings) -> None:
    assistant = OneAnswer()
    client, _ = make_client(settings, assistant)
    turns = [{"question": f"Frage {n}", "answer": f"Antwort {n}"} for n in range(8)]
    turns[7] = {"question": "Frage 7"}  # the answer may be left out
    response = client.post("/api/ask", json={"question": "Und für Kinder?", "history": turns})
    assert response.status_code == 200
    assert assistant.histories[-1] == [(f"Frage {n}", f"Antwort {n}") for n in range(3, 7)] + [
        ("Frage 7", "")
    ]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, "question fehlt"),
        ({"history": []}, "question fehlt"),
        ({"question": 42}, "question muss Text sein"),
        ({"question": None}, "question muss Text sein"),
        ({"question": ["Was kostet das?"]}, "question muss Text sein"),
        ({"question": "Kosten?", "history": "Einbürgerung"}, "history muss eine Liste sein"),
        ({"question": "Kosten?", "history": ["Einbürgerung"]}, "history[0] muss ein Objekt sein"),
        ({"question": "Kosten?", "history": [{"question": 1}]}, "history[0].question muss Text"),
        ({"question": "Kosten?", "history": [{"answer": "x"}]}, "history[0].question fehlt"),
        ({"question": "Kosten?", "lang": "de"}, "lang ist unbekannt"),
        ([1, 2], "Anfrage muss ein Objekt sein"),
        ("Was kostet das?", "Anfrage muss ein Objekt sein"),
        ({"question": "   "}, "question ist leer"),
    ],
)
def test_malformed_request_gets_422_naming_the_field(
    settings: Settings, payload: object, expected: str
) -> None:
    assistant = OneAnswer()
    client, _ = make_client(settings, assistant)
    response = client.post("/api/ask", json=payload)
    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    assert assistant.calls == 0


def test_huge_question_is_refused_with_the_limit_and_not_echoed(client: TestClient) -> None:
    question = "Wie lange dauert der Integrationskurs? " * 2600  # about 100,000 characters
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 422
    assert "höchstens 1000 Zeichen" in response.json()["detail"]
    assert len(response.content) < 500, "the question is not sent back"


def test_too_long_history_is_refused(client: TestClient) -> None:
    turns = [{"question": "Frage", "answer": "Antwort"}] * (MAX_TURNS + 1)
    response = client.post("/api/ask", json={"question": "Und dann?", "history": turns})
    assert response.status_code == 422
    assert f"höchstens {MAX_TURNS}" in response.json()["detail"]
    long_turn = [{"question": "Frage " * 300, "answer": ""}]
    response = client.post("/api/ask", json={"question": "Und dann?", "history": long_turn})
    assert response.status_code == 422 and "1000 Zeichen" in response.json()["detail"]


def test_body_over_the_limit_is_413_before_it_is_parsed(client: TestClient) -> None:
    body = json.dumps({"question": "x" * (MAX_BODY_BYTES + 10)})
    response = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "zu groß" in response.json()["detail"]


def test_not_json_is_refused(client: TestClient) -> None:
    form = client.post("/api/ask", data={"question": "Kosten?"})
    assert form.status_code == 415 and "JSON" in form.json()["detail"]
    broken = client.post(
        "/api/ask", content=b'{"question": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and broken.json() == {"detail": "Ungültiges JSON."}
    latin = client.post(
        "/api/ask", content=b'{"question": "\xe4"}', headers={"content-type": "application/json"}
    )
    assert latin.status_code == 400


def test_limits_are_the_chats_and_shared_with_it(settings: Settings) -> None:
    limited = settings.model_copy(update={"requests_per_minute_per_client": 3})
    assistant = OneAnswer()
    client, controller = make_client(limited, assistant)
    # the chat page and the API of one client address count together
    list(controller.respond("Frage", [], ChatSession(), client="testclient"))
    codes = [client.post("/api/ask", json={"question": "Frage"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.post("/api/ask", json={"question": "Was kostet die Einbürgerung?"})
    assert refused.headers["retry-after"] == "60"
    assert "Bitte warten Sie eine Minute" in refused.json()["detail"]
    assert assistant.calls == 3


def test_failure_is_a_clear_500_without_details(settings: Settings) -> None:
    class Broken(OneAnswer):
        def ask(self, question: str, history: object = None) -> Answer:
            raise RuntimeError("secret internal state /srv/index")

    response = make_client(settings, Broken())[0].post("/api/ask", json={"question": "Kosten?"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es später "
        "noch einmal."
    }


def test_refusal_goes_into_the_gap_report(settings: Settings) -> None:
    class Refuses(OneAnswer):
        def ask(self, question: str, history: object = None) -> Answer:
            return Answer(question, "Dazu finde ich nichts.", refused=True, language="de")

    client, _ = make_client(settings, Refuses())
    response = client.post("/api/ask", json={"question": "Wie wird das Wetter morgen?"})
    assert response.status_code == 200 and response.json()["refused"] is True
    gaps = read_gaps(gaps_path(settings))
    assert [g["question"] for g in gaps] == ["Wie wird das Wetter morgen?"]
