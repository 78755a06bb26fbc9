"""Answer cards: the file format and its checks, expiry, matching before the documents, the
staff edit with versions, and the report. Fake embedder; the real thresholds are tested
with the real model in tests/integration/test_card_calibration.py."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bot.answering.assistant import Assistant
from bot.answering.cards import (
    CARDS_DIR,
    AnswerCards,
    CardError,
    expired_cards,
    parse_card,
    read_cards,
)
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.i18n import LANGUAGES
from bot.indexing.build import build_index, read_manifest
from bot.ingest.documents import iter_corpus_files
from bot.safe_html import DEFAULT_LINK_HOSTS
from bot.staff.admin_service import AdminService, Forbidden
from bot.staff.audit import AuditLog
from bot.staff.card_admin import card_file_name, card_template, save_card, versions
from bot.staff.users import UserStore
from bot.web.chat_ui import render_answer

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
HOSTS = DEFAULT_LINK_HOSTS

CARD = """---
title: Asylantrag abgelehnt – was jetzt?
owner: Team Beratung
valid_until: {until}
updated: 2026-11-01
source: https://www.bamf.de/
---
## Fragen
- Mein Asylantrag wurde abgelehnt, was kann ich tun?
- Ablehnung im Asylverfahren, welche Frist gilt?
- My asylum application was rejected, what can I do?
- Sığınma başvurum (Asyl) reddedildi (abgelehnt), ne yapmalıyım?

## Stichwörter
- asyl, asylum
- abgelehnt, ablehnung, rejected

## Nicht gemeint
- Mein Antrag auf Einbürgerung wurde abgelehnt.

## Antwort (de)
Handeln Sie sofort: Die Frist für eine Klage ist kurz. Gehen Sie zur Flüchtlingsberatung.

## Antwort (en)
Act at once: the deadline for legal action is short. Go to a refugee advice centre.
"""

DOC = """---
title: Beratung
updated: 2026-09-05
---
# Beratung

## Flüchtlingsberatung
Geflüchtete finden Unterstützung bei Flüchtlingsberatungsstellen, zum Beispiel zum
Asylverfahren. Die Beratung ist kostenlos.

## Asylverfahren
Nach einer Ablehnung im Asylverfahren gilt eine kurze Frist für die Klage beim Gericht.

## Einbürgerung
Die Gebühr für die Einbürgerung beträgt 255 Euro.
"""


def card_text(until: str = "2099-12-31") -> str:
    return CARD.format(until=until)


def write_card(settings: Settings, name: str = "asyl.md", text: str | None = None) -> Path:
    folder = settings.corpus_dir / CARDS_DIR
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text if text is not None else card_text(), encoding="utf-8")
    return path


# --- the sample cards ---------------------------------------------------------------------------


def test_sample_cards_are_valid_in_every_language_and_marked_as_samples() -> None:
    files = read_cards(CORPUS, HOSTS)
    assert [f.name for f in files] == [
        "abschiebung-droht.md",
        "asylantrag-abgelehnt.md",
        "gewalt-krise-notfall.md",
        "grenzen-des-chats.md",
    ]
    for item in files:
        assert item.card is not None, (item.name, item.error)
        assert item.card.sample and item.card.owner
        assert set(item.card.answers) == set(LANGUAGES), item.name
        assert not item.card.expired(dt.date(2027, 1, 1))


def test_crisis_card_gives_the_national_numbers_in_every_language() -> None:
    card = parse_card(
        (CORPUS / CARDS_DIR / "gewalt-krise-notfall.md").read_text(encoding="utf-8"),
        "gewalt-krise-notfall.md",
        HOSTS,
    )
    for language, text in card.answers.items():
        for number in ("110", "112", "116 016", "0800 111 0 111", "0800 111 0 222"):
            assert number in text, (language, number)


def test_sample_cards_invent_no_numbers() -> None:
    """Only the national emergency and help lines and what the corpus documents say."""
    allowed = {"110", "112", "116 016", "0800 111 0 111", "0800 111 0 222"}
    documents = " ".join(p.read_text(encoding="utf-8") for p in CORPUS.glob("[!_]*.md"))
    documents += (CORPUS / "_kontaktkarte.md").read_text(encoding="utf-8")
    for item in read_cards(CORPUS, HOSTS):
        assert item.card is not None
        for text in item.card.answers.values():
            for found in re.findall(r"\d[\d ]*\d|\d", text):
                # Persian digits ("۲۷") as the documents write them ("27")
                number = "".join(str(unicodedata.decimal(c, c)) for c in found)
                assert number in allowed or number in documents, (item.name, found)


def test_cards_are_not_documents_of_the_index(settings: Settings) -> None:
    assert not [p for p in iter_corpus_files(CORPUS) if CARDS_DIR in p.parts]
    (settings.corpus_dir / "beratung.md").write_text(DOC, encoding="utf-8")
    write_card(settings)
    report = build_index(settings, make_embedder("fake"))
    manifest = read_manifest(settings.index_dir, report.generation or "")
    assert list(manifest.files) == ["beratung.md"]


# --- the file format ----------------------------------------------------------------------------


def test_a_bad_card_lists_every_problem_in_german() -> None:
    bad = """---
title: Test
valid_until: bald
source: https://evil.example/
farbe: rot
---
Einleitung ohne Abschnitt
## Fragen
- Nur eine Frage?
## Antwort (xx)
Text
## Überblick
Text
"""
    with pytest.raises(CardError) as caught:
        parse_card(bad, "x.md", HOSTS)
    text = str(caught.value)
    for expected in (
        "Unbekannter Eintrag im Kopf: farbe",
        "Im Kopf fehlt „owner:“",
        "„valid_until:“ muss ein Datum",
        "„source:“ muss eine Internetadresse",
        "Text außerhalb eines Abschnitts",
        "weniger als 2 Fragen",
        "unbekannte Sprache „xx“",
        "Unbekannter Abschnitt „## Überblick“",
        "Die deutsche Antwort fehlt",
    ):
        assert expected in text, expected
    assert len(caught.value.problems) == 9


def test_missing_head_and_empty_answer_are_reported() -> None:
    with pytest.raises(CardError, match="Der Kopf fehlt"):
        parse_card("## Fragen\n- a?\n- b?\n## Antwort (de)\nText\n", "x.md", HOSTS)
    empty = card_text().replace("Act at once: the deadline for legal action is short.", "")
    empty = empty.replace("Go to a refugee advice centre.", "")
    with pytest.raises(CardError, match=r"„## Antwort \(en\)“ ist leer"):
        parse_card(empty, "x.md", HOSTS)


def test_a_question_without_any_keyword_of_a_group_is_refused() -> None:
    text = card_text().replace(
        "- Ablehnung im Asylverfahren, welche Frist gilt?", "- Welche Frist gilt jetzt?"
    )
    with pytest.raises(CardError, match="„Welche Frist gilt jetzt\\?“ enthält keines"):
        parse_card(text, "x.md", HOSTS)


def test_keywords_match_word_parts_across_scripts_and_spellings() -> None:
    card = parse_card(card_text(), "asyl.md", HOSTS)
    assert card.mentions_keywords("ASYLANTRAG ABGELEHNT")
    assert not card.mentions_keywords("Einbürgerung abgelehnt")
    persian = parse_card(
        card_text().replace("- asyl, asylum", "- asyl, پناهندگی, İltica"), "p.md", HOSTS
    )
    # Arabic yeh for Persian yeh, a joiner, and the Turkish capital İ
    assert persian.mentions_keywords("درخواست پناهندگي من abgelehnt")
    assert persian.mentions_keywords("İLTİCA başvurum rejected")


def test_parsed_card_keeps_answers_per_language_and_falls_back_to_german() -> None:
    card = parse_card(card_text(), "asyl.md", HOSTS)
    assert card.questions[0] == "Mein Asylantrag wurde abgelehnt, was kann ich tun?"
    assert card.not_meant == ("Mein Antrag auf Einbürgerung wurde abgelehnt.",)
    assert card.answer_in("en")[1] == "en"
    assert card.answer_in("fa") == (card.answers["de"], "de")
    assert card.path == "_antwortkarten/asyl.md"


# --- expiry ---------------------------------------------------------------------------------


def test_expired_card_is_not_used_and_listed_for_staff(settings: Settings) -> None:
    write_card(settings, "alt.md", card_text(until="2020-01-31"))
    cards = AnswerCards(settings, make_embedder("fake"))
    assert cards.match("Mein Asylantrag wurde abgelehnt, was kann ich tun?") is None
    assert expired_cards(settings) == [
        {
            "card": "_antwortkarten/alt.md",
            "title": "Asylantrag abgelehnt – was jetzt?",
            "owner": "Team Beratung",
            "valid_until": "2020-01-31",
        }
    ]
    assert not parse_card(card_text(until="2026-11-26"), "x.md", HOSTS).expired(
        dt.date(2026, 11, 26)
    ), "valid through its last day"


def test_report_json_lists_expired_cards(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    write_card(settings, "alt.md", card_text(until="2020-01-31"))
    write_card(settings, "neu.md")
    monkeypatch.setenv("BOT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("BOT_EMBEDDING_MODEL", "fake")
    assert main(["report", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [c["card"] for c in record["expired_cards"]] == ["_antwortkarten/alt.md"]
    assert {"gaps", "expiring"} <= set(record)


# --- matching -----------------------------------------------------------------------------------


@pytest.fixture
def card_settings(settings: Settings) -> Settings:
    (settings.corpus_dir / "beratung.md").write_text(DOC, encoding="utf-8")
    write_card(settings)
    # the fake embedder's similarities are not e5's: no z-score gate, a fake-sized threshold
    settings = settings.model_copy(
        update={
            "refusal_min_relevance": -99.0,
            "refusal_clear_relevance": -99.0,
            "refusal_topic_relevance": -99.0,
            "card_min_similarity": 0.8,
            "card_min_margin": 0.0,
        }
    )
    build_index(settings, make_embedder("fake"))
    return settings


def test_card_answers_before_the_documents(card_settings: Settings) -> None:
    assistant = Assistant.from_settings(card_settings)
    question = "Ablehnung im Asylverfahren, welche Frist gilt?"
    answer = assistant.ask(question)
    assert answer.mode == "card" and not answer.refused
    assert answer.text.startswith(
        "**Geprüfte Antwort des Kommunalen Integrationszentrums – gültig bis 31.12.2099**"
    )
    assert "Die Frist für eine Klage ist kurz" in answer.text
    [source] = answer.sources
    assert (source.source, source.url) == ("_antwortkarten/asyl.md", "https://www.bamf.de/")
    assert source.title == "Asylantrag abgelehnt – was jetzt?"
    assert source.updated == "2026-11-01"
    # the documents also speak of the asylum procedure: without the card they answer
    (card_settings.corpus_dir / CARDS_DIR / "asyl.md").unlink()
    fallback = assistant.ask(question)
    assert fallback.mode == "extractive" and fallback.sources[0].source == "beratung.md"


def test_other_questions_go_to_the_documents(card_settings: Settings) -> None:
    assistant = Assistant.from_settings(card_settings)
    answer = assistant.ask("Was kostet die Einbürgerung Gebühr?")
    assert answer.mode == "extractive" and "255 Euro" in answer.text


def test_keywords_and_not_meant_questions_keep_near_misses_out(card_settings: Settings) -> None:
    embedder = make_embedder("fake")
    near = "Mein Antrag auf Einbürgerung wurde abgelehnt."
    cards = AnswerCards(card_settings, embedder)
    assert cards.scores(embedder.embed_query(near), near) == [], "no 'asyl': no card"
    # without keywords the "not meant" list alone keeps it out: closer to it than to a question
    no_keywords = re.sub(r"## Stichwörter\n(- .*\n)+", "", card_text())
    write_card(card_settings, "asyl.md", no_keywords)
    [scored] = cards.scores(embedder.embed_query(near), near)
    assert scored.margin < 0 and cards.match(near) is None
    assert cards.match("Mein Asylantrag wurde abgelehnt, was kann ich tun?") is not None


def test_card_text_follows_the_asker_with_german_fallback(card_settings: Settings) -> None:
    assistant = Assistant.from_settings(card_settings)
    english = assistant.ask("My asylum application was rejected, what can I do?")
    assert english.language == "en" and english.mode == "card"
    assert "Approved answer" in english.text and "valid until 2099-12-31" in english.text
    assert "the deadline for legal action is short" in english.text
    turkish = assistant.ask("Sığınma başvurum (Asyl) reddedildi (abgelehnt), ne yapmalıyım?")
    assert turkish.language == "tr" and turkish.mode == "card"
    assert "yalnızca Almanca" in turkish.text, "no Turkish text: the German one, said so"
    assert "Die Frist für eine Klage ist kurz" in turkish.text


def test_edited_card_is_used_without_restart(card_settings: Settings) -> None:
    assistant = Assistant.from_settings(card_settings)
    question = "Mein Asylantrag wurde abgelehnt, was kann ich tun?"
    assert "Flüchtlingsberatung" in assistant.ask(question).text
    path = card_settings.corpus_dir / CARDS_DIR / "asyl.md"
    path.write_text(
        card_text().replace("Gehen Sie zur Flüchtlingsberatung.", "Rufen Sie uns an."),
        encoding="utf-8",
    )
    assert "Rufen Sie uns an." in assistant.ask(question).text


def test_questions_without_any_card_keyword_are_not_embedded_for_cards(
    card_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = make_embedder("fake", shared=False)
    cards = AnswerCards(card_settings, embedder)
    cards.cards()  # variants embedded (and cached) first
    embedded: list[str] = []
    original = embedder.embed_query
    monkeypatch.setattr(
        embedder, "embed_query", lambda text: embedded.append(text) or original(text)
    )
    assert cards.match("Was kostet die Einbürgerung?") is None
    assert embedded == [], "a question no card is about costs no embedding"
    assert cards.match("Mein Asylantrag wurde abgelehnt, was kann ich tun?") is not None
    assert embedded == ["Mein Asylantrag wurde abgelehnt, was kann ich tun?"]


def test_broken_card_file_is_skipped_not_fatal(card_settings: Settings) -> None:
    write_card(card_settings, "kaputt.md", "kein Kopf")
    cards = AnswerCards(card_settings, make_embedder("fake"))
    assert [c.name for c in cards.cards()] == ["asyl.md"]
    assert cards.match("Mein Asylantrag wurde abgelehnt, was kann ich tun?") is not None


def test_vectors_are_cached_next_to_the_index(
    card_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    AnswerCards(card_settings, make_embedder("fake", shared=False)).cards()
    assert (card_settings.index_dir / "card_vectors.npz").is_file()
    again = make_embedder("fake", shared=False)
    embedded: list[str] = []
    original = again.embed_query
    monkeypatch.setattr(again, "embed_query", lambda text: embedded.append(text) or original(text))
    assert len(AnswerCards(card_settings, again).cards()) == 1
    assert embedded == [], "a restart reads the variants' vectors from the cache"


def test_card_answer_renders_link_marker_and_escaped_text(card_settings: Settings) -> None:
    hostile = card_text().replace(
        "Gehen Sie zur Flüchtlingsberatung.",
        "<img src=x onerror=alert(1)> [x](https://evil.example)",
    )
    write_card(card_settings, "asyl.md", hostile)
    answer = Assistant.from_settings(card_settings).ask(
        "Mein Asylantrag wurde abgelehnt, was kann ich tun?"
    )
    html = render_answer(answer)
    dom = BeautifulSoup(html, "html.parser")
    assert dom.find("img") is None
    assert [a["href"] for a in dom.find_all("a")] == ["https://www.bamf.de/"]
    assert "Geprüfte Antwort" in dom.get_text() and "<img" in dom.get_text()


# --- staff edit -------------------------------------------------------------------------------


@pytest.fixture
def service(settings: Settings, users: UserStore, tmp_path: Path) -> AdminService:
    return AdminService(settings, users, AuditLog(tmp_path / "audit.jsonl"))


def test_staff_edit_saves_a_new_version_and_keeps_the_old(
    service: AdminService, settings: Settings
) -> None:
    path = write_card(settings, "asyl.md")
    first = path.read_text(encoding="utf-8")
    assert [r.name for r in service.answer_cards("ben")] == ["asyl.md"]
    assert service.answer_card_text("ben", "asyl.md") == first
    changed = first.replace("Team Beratung", "Team Flucht")
    message = service.save_answer_card("ben", "asyl.md", changed)
    assert message.startswith("„asyl.md“ gespeichert (Version 2, wird verwendet)")
    assert path.read_text(encoding="utf-8") == changed
    [old] = versions(settings, "asyl.md")
    assert old.read_text(encoding="utf-8") == first and old.name == "asyl.v1.md"
    assert old.parent.name == ".versionen"
    assert [f.name for f in read_cards(settings.corpus_dir, HOSTS)] == ["asyl.md"]
    record = service.audit.recent(1)[0]
    assert (record["action"], record["target"]) == ("answer-card", "_antwortkarten/asyl.md")
    assert record["detail"]["version"] == 2


def test_staff_edit_with_errors_changes_nothing(service: AdminService, settings: Settings) -> None:
    path = write_card(settings, "asyl.md")
    before = path.read_text(encoding="utf-8")
    with pytest.raises(CardError) as caught:
        service.save_answer_card("ben", "asyl.md", before.replace("owner: Team Beratung\n", ""))
    assert "Im Kopf fehlt „owner:“" in str(caught.value)
    assert path.read_text(encoding="utf-8") == before, "the file stays as it was"
    assert versions(settings, "asyl.md") == []
    assert service.audit.recent(1)[0]["action"] == "answer-card-refused"


def test_new_card_from_the_template_and_safe_names(
    service: AdminService, settings: Settings
) -> None:
    template = service.answer_card_template("ben")
    assert parse_card(template, "neu.md", HOSTS).title == "Die Frage als Überschrift"
    message = service.save_answer_card("ben", "Neue Karte", card_text())
    assert "„neue-karte.md“ gespeichert (Version 1" in message
    assert (settings.corpus_dir / CARDS_DIR / "neue-karte.md").is_file()
    for bad in ("", "---", "!!!"):
        with pytest.raises(CardError, match="Dateinamen"):
            save_card(settings, bad, card_text())
    assert card_file_name("Asyl abgelehnt.md") == "asyl-abgelehnt.md"
    assert card_file_name("../../etc/passwd") == "etc-passwd.md", "no folders, only a name"
    assert card_file_name(".versteckt") == "versteckt.md", "never a hidden file"


def test_only_staff_accounts_edit_cards(service: AdminService) -> None:
    with pytest.raises(Forbidden):
        service.save_answer_card("niemand", "x.md", card_text())
    with pytest.raises(Forbidden):
        service.answer_cards("niemand")
    assert card_template(dt.date(2026, 11, 26)).count("valid_until: 2027-05-27") == 1
