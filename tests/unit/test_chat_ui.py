"""The chat page's behaviour without a browser: safe rendering, sources, feedback, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bot.answering.answer import Answer, Citation
from bot.config import Settings
from bot.safe_html import sanitize
from bot.web.chat_ui import ChatController, ChatSession, answer_plain_text, render_answer
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


# --- copy, print and share: the answer as clean text ----------------------------------------


def copy_text(html_text: str) -> str:
    """What the page's script copies: the value of the answer's copy button."""
    return BeautifulSoup(html_text, "html.parser").find("button", class_="ki-copy")["value"]


def test_plain_text_is_the_answer_then_its_sources_without_markup() -> None:
    answer = Answer(
        "q",
        "**Einbürgerung › Kosten** [1]\nDie Gebühr beträgt 255 Euro.\n\n- für Erwachsene\n"
        "- für Kinder [2]",
        refused=False,
        language="de",
        sources=[
            citation(page=2),
            citation(number=2, title="Kinder", section="", url="http://evil.example/x"),
        ],
    )
    expected = (
        "Einbürgerung › Kosten [1]\nDie Gebühr beträgt 255 Euro.\n\n"
        "• für Erwachsene\n• für Kinder [2]\n\n"
        "Quellen:\n[1] Einbürgerung › Kosten, S. 2 (Stand 15.09.2026)\n"
        "https://www.rhein-sieg-kreis.de/\n"
        "[2] Kinder (Stand 15.09.2026)"  # an untrusted address is left out, as on the page
    )
    assert answer_plain_text(answer) == expected
    assert copy_text(render_answer(answer)) == expected, "the page copies exactly this"
    english = answer_plain_text(answer, "en")
    assert "Sources:\n[1] Einbürgerung › Kosten, p. 2 (as of 2026-09-15)" in english


def test_plain_text_keeps_document_markup_as_literal_text() -> None:
    hostile = "<img src=x onerror=alert(1)> [klick](http://evil.example/phish) *x*"
    answer = Answer(
        "q", f"**Titel** [1]\n{hostile}", refused=False, language="de", sources=[citation()]
    )
    html_text = render_answer(answer)
    assert copy_text(html_text).startswith(f"Titel [1]\n{hostile}\n\nQuellen:")
    assert "<img" not in html_text and "&lt;img src=x onerror=alert(1)&gt;" in html_text
    assert "onmouseover" not in copy_text(html_text), "the passage itself is not copied"


def test_plain_text_isolates_german_titles_and_dates_in_arabic() -> None:
    answer = Answer("q", "نص", refused=False, language="ar", sources=[citation()])
    lines = answer_plain_text(answer).splitlines()
    assert lines[2:4] == [
        "المصادر:",
        "[1] \u2068Einbürgerung › Kosten\u2069 (بتاريخ \u20682026-09-15\u2069)",
    ]


def test_plain_text_of_a_refusal_carries_the_contact_card() -> None:
    from bot.staff.contact_card import FALLBACK

    answer = Answer(
        "q", "Dazu finde ich nichts.", refused=True, language="de", sources=[], reason="x"
    )
    text = answer_plain_text(answer, card=FALLBACK)
    assert text == "Dazu finde ich nichts.\n\n" + FALLBACK.render_text("de")
    assert "Quellen" not in text


def test_rendered_answer_survives_gradios_round_trip(settings: Settings) -> None:
    """Gradio reindents message text and the page sends back what it got: the answer (with
    tabs and line breaks from a document) must come back unchanged to be re-rendered."""
    from gradio.components.chatbot import ChatbotDataMessages

    from bot.web.chat_ui import build_app

    demo = build_app(settings, OneAnswer())  # type: ignore[arg-type]
    chat = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "ki-chat")
    answer = Answer(
        "q",
        "**Titel** [1]\n    eingerückt\tmit Tab\n\n  - Punkt",
        refused=False,
        language="de",
        sources=[citation(excerpt="Zeile 1\n\tZeile 2")],
    )
    shown = render_answer(answer)
    sent = chat.postprocess([{"role": "assistant", "content": shown}])
    back = chat.preprocess(ChatbotDataMessages.model_validate(sent.model_dump()))
    assert back[0]["content"] == [{"type": "text", "text": shown}]
    assert "\n" not in shown and "\t" not in shown


def test_language_switch_relabels_earlier_answers(controller: ChatController) -> None:
    history, session, *_ = run(controller, "Was kostet die Einbürgerung?", None)
    assert "<strong>Quellen</strong>" in history[-1]["content"]
    # as the page sends it back: Gradio's normalised parts, plus a message not rendered here
    sent = [
        {"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in history
    ]
    sent.append({"role": "assistant", "content": [{"type": "text", "text": "<p>Quellen</p>"}]})
    relabelled, session = controller.relabel(sent, session, "ar")
    assert relabelled[0] == sent[0], "the question stays"
    assert relabelled[-1] == sent[-1], "a message this session did not render stays"
    answer = relabelled[1]["content"]
    assert "<strong>المصادر</strong>" in answer and "Quellen" not in answer
    assert ">نسخ</button>" in answer and "المصادر:" in copy_text(answer)
    assert "255 Euro" in answer, "the answer's own text is unchanged"
    # answers after the switch use the chosen language as well
    later = list(controller.respond("Was kostet die Einbürgerung?", relabelled, session))[-1]
    assert "<strong>المصادر</strong>" in later[0][-1]["content"]
    # and switching back finds the re-rendered answers again
    back, _ = controller.relabel(later[0], session, "de")
    assert [i for i, m in enumerate(back) if "<strong>Quellen</strong>" in m["content"]] == [1, 4]
    assert back[2] == sent[-1]


def test_refusal_keeps_its_contact_card_in_the_question_language() -> None:
    """The card belongs to the refusal's text (German question, German card); only the
    page's own labels follow a chosen page language."""
    from bot.staff.contact_card import FALLBACK

    answer = Answer(
        "q", "Dazu finde ich nichts.", refused=True, language="de", sources=[], reason="x"
    )
    shown = render_answer(answer, card=FALLBACK, language="ar")
    assert "Persönlich beraten lassen" in shown and "Internet:" in shown
    assert ">نسخ</button>" in shown and ">Kopieren<" not in shown
    assert "Internet: https://www.rhein-sieg-kreis.de/" in copy_text(shown)
