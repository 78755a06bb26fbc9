"""The chat page's behaviour without a browser: safe rendering, sources, feedback, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bot.answering.answer import Answer, Citation
from bot.config import Settings
from bot.safe_html import sanitize
from bot.web.chat_ui import ChatController, ChatSession, render_answer
from tests.conftest import OneAnswer


def citation(**extra: object) -> Citation:
    data = {
        "number": 1,
        "source": "einbuergerung.md",
        "title": "Einbürgerung",
        "section": "Kosten",
        "score": 0.9,
        "excerpt": "Die Gebühr beträgt 255 Euro. <b onmouseover=alert(1)>x</b>",
        "updated": "2026-09-15",
        "url": "https://www.rhein-sieg-kreis.de/",
    }
    data.update(extra)
    return Citation(**data)  # type: ignore[arg-type]


def test_sources_show_section_date_passage_and_link() -> None:
    answer = Answer(
        "q",
        "**Einbürgerung › Kosten** [1]\n255 Euro",
        refused=False,
        language="de",
        sources=[citation()],
    )
    html = render_answer(answer)
    summary = BeautifulSoup(html, "html.parser").find("summary")
    assert summary.get_text() == "[1] Einbürgerung › Kosten (Stand 15.09.2026)"
    assert "&lt;b onmouseover=alert(1)&gt;" in html, "passage text is escaped"
    assert 'href="https://www.rhein-sieg-kreis.de/"' in html
    unsafe = render_answer(
        Answer(
            "q", "x", refused=False, language="de", sources=[citation(url="javascript:alert(1)")]
        )
    )
    assert "javascript:" not in unsafe


def test_right_to_left_isolates_quotes_labels_and_dates() -> None:
    """German quotes, titles and dates inside an Arabic answer keep their own direction."""
    text = "الإجابة مأخوذة من وثائق ألمانية:\n\n**Einbürgerung › Kosten** [1]\n- Wie lange?"
    cite = citation(page=2, excerpt="Wie lange dauert das?")
    dom = BeautifulSoup(
        render_answer(Answer("q", text, refused=False, language="ar", sources=[cite])),
        "html.parser",
    )
    blocks = dom.find_all(["p", "li", "blockquote"])
    assert blocks and all(
        b.get("dir") == "auto" for b in blocks if b.get_text().strip() != "المصادر"
    )
    isolated = [b.get_text() for b in dom.find("summary").find_all("bdi")]
    assert isolated == ["[1]", "Einbürgerung › Kosten", "2", "2026-09-15"]
    assert [b.get_text() for b in dom.find("details").find_all("bdi")][-2:] == [
        "einbuergerung.md",
        "https://www.rhein-sieg-kreis.de/",
    ]


def test_direction_attribute_takes_only_known_values() -> None:
    dom = BeautifulSoup(
        sanitize('<p dir="x" onclick="y">a</p><bdi dir="rtl">b</bdi>'), "html.parser"
    )
    assert dom.find("p").attrs == {} and dom.find("bdi").attrs == {"dir": "rtl"}


def test_refusal_offers_contact_in_the_question_language() -> None:
    html = render_answer(
        Answer("q", "I could not find …", refused=True, language="en", sources=[], reason="x")
    )
    assert "contact the KI" in html and "rhein-sieg-kreis.de" in html


@pytest.fixture
def controller(settings: Settings) -> ChatController:
    limited = settings.model_copy(update={"requests_per_minute": 3})
    return ChatController(limited, OneAnswer(citation()))  # type: ignore[arg-type]


def run(controller: ChatController, question: str, session: ChatSession | None):
    return list(controller.respond(question, [], session))[-1]


def test_answer_is_announced_once_and_turns_are_kept(controller: ChatController) -> None:
    history, session, live, cleared = run(controller, "Was kostet die Einbürgerung?", None)
    assert history[-1]["role"] == "assistant" and "255 Euro" in history[-1]["content"]
    assert 'aria-live="polite"' in live and "255 Euro" in live
    assert cleared == ""
    assert session.turns == [("Was kostet die Einbürgerung?", "Die Gebühr beträgt 255 Euro.")]


def test_flooding_client_gets_a_clear_message(controller: ChatController) -> None:
    session = ChatSession()
    for _ in range(3):
        run(controller, "Frage", session)
    history, *_ = run(controller, "Frage", session)
    assert "Bitte warten Sie eine Minute" in history[-1]["content"]
    assert controller.assistant.calls == 3
    other, *_ = run(controller, "Frage", ChatSession())
    assert "255 Euro" in other[-1]["content"], "other citizens are not affected"


def test_huge_message_is_not_echoed_whole(controller: ChatController) -> None:
    history, *_ = run(controller, "x" * 100_000, None)
    assert len(history[0]["content"]) < 2100


def test_feedback_is_stored_without_personal_data(
    controller: ChatController, settings: Settings
) -> None:
    assert "zuerst eine Frage" in controller.feedback(None, True, "", "de")
    _, session, *_ = run(controller, "Was kostet die Einbürgerung?", None)
    assert "Danke" in controller.feedback(session, False, "zu  kurz " * 100, "de")
    lines = (settings.data_dir / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[-1])
    assert set(record) == {
        "day",
        "question",
        "refused",
        "language",
        "helpful",
        "comment",
        "sources",
    }
    assert record["helpful"] is False and len(record["comment"]) <= 500
    assert record["sources"] == ["einbuergerung.md"]
    assert session.id not in Path(settings.data_dir / "feedback.jsonl").read_text()


@pytest.mark.parametrize("question", ["", "   \n "])
def test_empty_question_shows_no_bubble(controller: ChatController, question: str) -> None:
    earlier = [{"role": "user", "content": "Frage"}]
    history, _, live, _ = list(controller.respond(question, earlier, None))[-1]
    assert history == earlier, "no empty bubble, no answer"
    assert "Bitte schreiben Sie eine Frage" in live
    assert controller.assistant.calls == 0


def test_over_long_question_reaches_the_assistant(settings: Settings) -> None:
    """The page must not cut a pasted question silently (the browser's maxlength would):
    the assistant refuses it with a message naming the limit (browser test
    test_over_long_question_is_refused_with_a_message); the bubble shows it shortened, marked."""
    from bot.web.chat_ui import build_app

    demo = build_app(settings, OneAnswer())  # type: ignore[arg-type]
    box = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "ki-input")
    assert box.max_length > settings.max_question_chars
    controller = ChatController(settings, OneAnswer())  # type: ignore[arg-type]
    question = "Wie lange dauert der Integrationskurs? " * 100
    history, *_ = list(controller.respond(question, [], None))[-1]
    assert controller.assistant.calls == 1, "the whole question reaches the assistant"
    assert history[0]["content"].endswith(" …</p>") and len(history[0]["content"]) < 1100
