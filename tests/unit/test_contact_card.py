"""The contact card: one staff file in the corpus, never indexed, shown escaped."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from bot.answering.answer import Answer
from bot.ingest.documents import iter_corpus_files
from bot.staff.contact_card import CARD_FILE, FALLBACK, load_card, parse_card
from bot.web.chat_ui import render_answer

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_card_file_is_not_a_document_of_the_index() -> None:
    assert (CORPUS / CARD_FILE).is_file()
    assert CARD_FILE not in {p.name for p in iter_corpus_files(CORPUS)}


def test_sample_card_names_offices_and_invents_no_numbers() -> None:
    card = load_card(CORPUS)
    assert card.office[0] == "Kommunales Integrationszentrum Rhein-Sieg-Kreis"
    offices = [who for who, _ in card.responsibilities]
    assert offices == [
        "Kommunales Integrationszentrum (KI)",
        "Ausländerbehörde",
        "Einbürgerungsbehörde",
        "Jobcenter",
    ]
    assert card.appointment and card.website == "https://www.rhein-sieg-kreis.de/"
    # no phone, e-mail or hours in the corpus: the card leaves them out
    assert card.phone is None and card.email is None and card.hours == []
    documents = " ".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("[!_]*.md"))
    for number in re.findall(r"\d[\d /-]{2,}\d", card.render_text("de")):
        assert number in documents, f"{number} is not in the corpus"


def test_empty_sections_are_left_out_and_labels_follow_language() -> None:
    card = parse_card(
        "# Karte\n## Telefon\n\n## E-Mail\nki@example.org\n## Sprechzeiten\nMo 9–12 Uhr\n"
        "## Wer ist wofür zuständig?\n- Jobcenter: Bürgergeld\n- ohne Doppelpunkt\n"
    )
    assert card.phone is None and card.email == "ki@example.org"
    assert card.responsibilities == [("Jobcenter", "Bürgergeld")]
    dom = BeautifulSoup(card.render_html("tr"), "html.parser")
    text = dom.get_text(" ")
    assert "Telefon" not in text and "E-posta:" in text and "Görüşme saatleri:" in text
    assert "Almancadır" in text, "non-German readers learn the details are German"
    assert [b.get_text() for b in dom.find_all("bdi")] == ["ki@example.org"]


def test_hostile_card_text_is_shown_as_text() -> None:
    card = parse_card(
        "## Stelle\n<img src=x onerror=alert(1)> [x](https://evil.example)\n"
        "## Internet\njavascript:alert(1)\n## Telefon\n<script>alert(1)</script>\n"
    )
    dom = BeautifulSoup(card.render_html("de"), "html.parser")
    assert dom.find(["img", "script", "a"]) is None
    assert "<img src=x onerror=alert(1)>" in dom.get_text()


def test_refusal_shows_the_card_and_answers_do_not() -> None:
    card = load_card(CORPUS)
    refused = Answer(
        "q", "Dazu finde ich nichts.", refused=True, language="ar", sources=[], reason="off-topic"
    )
    html = render_answer(refused, card=card)
    assert "التحدث مع شخص" in html and "Jobcenter" in html
    answered = Answer("q", "255 Euro", refused=False, language="de", sources=[])
    assert "Jobcenter" not in render_answer(answered, card=card)
    too_long = Answer("q", "zu lang", refused=True, language="de", sources=[], reason="too-long")
    assert "Jobcenter" not in render_answer(too_long, card=card)


def test_card_is_read_again_when_staff_change_it(tmp_path: Path) -> None:
    assert load_card(tmp_path) is FALLBACK
    path = tmp_path / CARD_FILE
    path.write_text("## Telefon\n02241 1\n", encoding="utf-8")
    assert load_card(tmp_path).phone == "02241 1"
    path.write_text("## Telefon\n02241 22\n", encoding="utf-8")
    assert load_card(tmp_path).phone == "02241 22"
