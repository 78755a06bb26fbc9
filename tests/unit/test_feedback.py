"""Feedback keeps what staff need and no personal data patterns; limits that a citizen's
browser cannot reset (new conversation, new session)."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.config import Settings
from bot.staff.feedback import record_feedback
from bot.web.chat_ui import ChatController, ChatSession, build_app
from tests.conftest import OneAnswer

PERSONAL = (
    "Ich heiße Ahmad Karimi, geboren am 03.12.1985, Tel. 0171 1234567 oder +49 2241 13-2345, "
    "ahmad.karimi@web.de, IBAN DE89 3704 0044 0532 0130 00. Termin bei Frau Müller? "
    "My name is John Smith, born March 3, 1985. Меня зовут Олег Петренко."
)
LEAKS = [
    "Ahmad", "Karimi", "03.12.1985", "1234567", "13-2345", "ahmad.karimi", "@web.de",
    "DE89", "0532", "Müller", "John", "Smith", "1985", "Олег", "Петренко",
]  # fmt: skip


def stored(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_record_feedback_scrubs_personal_data(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    record_feedback(path, PERSONAL, False, "de", False, comment=PERSONAL)
    text = path.read_text(encoding="utf-8")
    for leak in LEAKS:
        assert leak not in text, leak
    record = stored(path)[0]
    for placeholder in ("[NAME]", "[DATUM]", "[TELEFON]", "[E-MAIL]", "[IBAN]"):
        assert placeholder in record["question"] and placeholder in record["comment"]


@pytest.mark.parametrize(
    "question",
    [
        "Was kostet die Einbürgerung? 255 Euro für 3 Kinder?",
        "Gilt § 24 Aufenthaltsgesetz noch 2027 in 53721 Siegburg?",
        "Braucht meine Frau Deutschkenntnisse für den Familiennachzug?",
        "Der Sprachkurs hat 600 Unterrichtsstunden, stimmt das?",
    ],
)
def test_questions_without_personal_data_are_kept_as_they_are(
    tmp_path: Path, question: str
) -> None:
    path = tmp_path / "feedback.jsonl"
    assert record_feedback(path, question, False, "de", True)["question"] == question


def test_feedback_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.jsonl"
    record_feedback(path, "Frage", False, "de", True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # written by an older version
    record_feedback(path, "Frage", False, "de", True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_old_feedback_is_deleted_on_write_and_on_read(tmp_path: Path) -> None:
    from bot.staff.feedback import read_feedback

    path = tmp_path / "feedback.jsonl"
    day = dt.date(2026, 1, 1)
    record_feedback(path, "alt", False, "de", True, retention_days=30, today=day)
    record_feedback(path, "neuer", False, "de", True, retention_days=30, today=day.replace(day=20))
    later = day + dt.timedelta(days=40)
    record_feedback(path, "neu", False, "de", True, retention_days=30, today=later)
    assert [r["question"] for r in stored(path)] == ["neuer", "neu"], "pruned on write"
    assert [r["question"] for r in read_feedback(path, 30, later + dt.timedelta(days=10))] == [
        "neu"
    ]
    assert [r["question"] for r in stored(path)] == ["neu"], "pruned on read"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "requests_per_minute": 3,
            "requests_per_minute_per_client": 5,
            "feedback_per_session": 5,
            "feedback_per_client_per_hour": 8,
        }
    )


def ask(controller: ChatController, session: ChatSession | None, client: str | None = None):
    extra = (client,) if client else ()
    return list(controller.respond("Was kostet die Einbürgerung?", [], session, *extra))[-1]


def test_feedback_is_limited_per_session_and_per_client(limited: Settings) -> None:
    controller = ChatController(limited, OneAnswer())  # type: ignore[arg-type]
    session = ChatSession()
    sent = 0
    for _ in range(300):  # the reported abuse: 300 feedbacks from one session
        _, session, *_ = ask(controller, session)
        controller.limiter._hits.clear()  # only the feedback limits are under test here
        sent += "Danke für" in controller.feedback(session, False, "x", "de")
    assert sent == 5 and len(stored(controller.feedback_path)) == 5
    assert "genug Rückmeldungen" in controller.feedback(session, True, "", "de")
    stored_per_client = 0
    for _ in range(20):  # new sessions from one address share its hourly budget
        _, other, *_ = ask(controller, None, "203.0.113.7")
        controller.client_limiter._hits.clear()
        stored_per_client += "Danke für" in controller.feedback(
            other, True, "", "de", "203.0.113.7"
        )
    assert stored_per_client == 8


def test_repeated_clicks_on_one_answer_store_one_record(limited: Settings) -> None:
    controller = ChatController(limited, OneAnswer())  # type: ignore[arg-type]
    _, session, *_ = ask(controller, None)
    for _ in range(4):
        controller.feedback(session, True, "", "de")
    assert len(stored(controller.feedback_path)) == 1


def test_new_sessions_from_one_client_share_its_question_limit(limited: Settings) -> None:
    controller = ChatController(limited, OneAnswer())  # type: ignore[arg-type]
    answers = [ask(controller, None, "203.0.113.7")[0][-1]["content"] for _ in range(7)]
    assert sum("255 Euro" in a for a in answers) == 5, "per client, across new sessions"
    assert "Bitte warten Sie eine Minute" in answers[-1]
    assert "255 Euro" in ask(controller, None, "198.51.100.1")[0][-1]["content"]


def test_process_budget_caps_all_clients_together(limited: Settings) -> None:
    settings = limited.model_copy(update={"requests_per_minute_total": 4})
    controller = ChatController(settings, OneAnswer())  # type: ignore[arg-type]
    answers = [ask(controller, None, f"198.51.100.{i}")[0][-1]["content"] for i in range(6)]
    assert sum("255 Euro" in a for a in answers) == 4


def call(dep, values: dict, client: str = "203.0.113.7"):
    """Runs one event handler of the page as Gradio would: its inputs, plus the request."""
    args = [values.get(block._id) for block in dep.inputs]
    if "request" in inspect.signature(dep.fn).parameters:
        args.append(SimpleNamespace(client=SimpleNamespace(host=client)))
    result = dep.fn(*args)
    return list(result)[-1] if inspect.isgenerator(result) else result


def test_new_conversation_button_does_not_reset_the_question_limit(limited: Settings) -> None:
    demo = build_app(limited, OneAnswer())  # type: ignore[arg-type]
    deps = list(demo.fns.values())
    respond = next(d for d in deps if d.api_name == "ask")
    clear = next(d for d in deps if getattr(d.fn, "__name__", "") == "clear")
    box, chat, state, page = respond.inputs
    values = {
        box._id: "Was kostet die Einbürgerung?",
        chat._id: [],
        state._id: None,
        page._id: "de",
    }
    replies = []
    for _ in range(4):  # ask, then press "Neues Gespräch", each time
        history, session, *_ = call(respond, values)
        replies.append(history[-1]["content"])
        values[state._id] = session
        outputs = call(clear, values)
        values[state._id] = outputs[1]
        assert outputs[0] == [], "the conversation is cleared"
    assert sum("255 Euro" in r for r in replies) == 3
    assert "Bitte warten Sie eine Minute" in replies[-1]
