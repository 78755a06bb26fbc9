"""Answering from translations: version choice, matching passage, citations, outdated marker,
the quote-language preface and Leichte Sprache (fake embedder, real Chroma)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answering.assistant import Assistant
from bot.answering.retrieval import FusionWeights, Retriever
from bot.answering.versions import Versions, asker_language
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.i18n import quote_note
from bot.indexing.build import build_index, load_index

ORIGINAL = """---
title: Einbürgerung
updated: 2026-09-15
---
# Einbürgerung

## Voraussetzungen
Eine Einbürgerung ist in der Regel nach fünf Jahren rechtmäßigem Aufenthalt möglich.

## Kosten
Die Gebühr für die Einbürgerung beträgt 255 Euro für Erwachsene.
"""
ENGLISH = """---
title: Naturalisation
lang: en
translation_of: einbuergerung.md
updated: 2026-09-15
---
# Naturalisation

## Requirements
Naturalisation is usually possible after five years of lawful residence.

## Costs
The fee for naturalisation is 255 euros for adults.
"""
EASY = """---
title: Einbürgerung (Leichte Sprache)
lang: de-x-ls
translation_of: einbuergerung.md
updated: 2026-09-15
---
# Einbürgerung

## Wer kann Deutscher werden?
Sie leben seit 5 Jahren in Deutschland. Dann können Sie einen Antrag stellen.

## Was kostet die Einbürgerung?
Die Einbürgerung kostet Geld. Erwachsene bezahlen 255 Euro.
"""
COURSE = """---
title: Integrationskurs
updated: 2026-09-01
---
# Integrationskurs

## Aufbau
Der Integrationskurs besteht aus einem Sprachkurs und einem Orientierungskurs.
Der Sprachkurs dauert in der Regel 600 Unterrichtsstunden.
"""
LEAFLET = """---
title: Welcome leaflet
lang: en
updated: 2026-09-01
---
# Welcome leaflet

## Opening hours
The welcome desk is open on Mondays from 9 to 12 o'clock.
"""


def write(settings: Settings, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = settings.corpus_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def lang_settings(settings: Settings) -> Settings:
    write(
        settings,
        {
            "einbuergerung.md": ORIGINAL,
            "integrationskurs.md": COURSE,
            "willkommen.md": LEAFLET,
            "translations/en/einbuergerung.md": ENGLISH,
            "translations/de-x-ls/einbuergerung.md": EASY,
        },
    )
    settings = settings.model_copy(
        update={
            "refusal_min_relevance": -99.0,
            "refusal_clear_relevance": -99.0,
            "refusal_topic_relevance": -99.0,
        }
    )
    build_index(settings, make_embedder("fake"))
    return settings


@pytest.fixture
def assistant(lang_settings: Settings) -> Assistant:
    return Assistant.from_settings(lang_settings)


def sources(answer) -> list[str]:  # noqa: ANN001
    return [c.source for c in answer.sources]


def test_english_question_is_answered_from_the_english_version_and_cites_the_original(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("How much is the Gebühr für die Einbürgerung for adults?")
    assert answer.language == "en" and not answer.refused
    assert sources(answer)[0] == "translations/en/einbuergerung.md"
    assert "einbuergerung.md" in sources(answer), "the original is cited too"
    original = next(c for c in answer.sources if c.source == "einbuergerung.md")
    assert original.section == "Kosten", "the original's matching section"
    assert "255 euros" in answer.text
    assert "Quoted in" not in answer.text, "an English quote needs no note"
    assert answer.sources[0].translation_of == "einbuergerung.md"
    assert answer.untranslated is None


def test_german_question_is_answered_from_the_german_original(assistant: Assistant) -> None:
    answer = assistant.ask("Was kostet die Einbürgerung für Erwachsene?")
    assert answer.language == "de"
    assert sources(answer)[0] == "einbuergerung.md"
    assert not any(s.startswith("translations/") for s in sources(answer))
    assert "255 Euro" in answer.text and not answer.text.startswith("Zitat auf")


def test_leichte_sprache_page_answers_from_the_easy_version(assistant: Assistant) -> None:
    question = "Was kostet die Einbürgerung für Erwachsene?"
    answer = assistant.ask(question, page_language="de-x-ls")
    assert answer.language == "de", "detection still says German"
    assert sources(answer)[0] == "translations/de-x-ls/einbuergerung.md"
    assert "Erwachsene bezahlen 255 Euro." in answer.text
    assert "Zitat" not in answer.text and "stammt aus" not in answer.text
    assert sources(assistant.ask(question, page_language="de"))[0] == "einbuergerung.md"


def test_outdated_translation_is_marked_in_the_askers_language(settings: Settings) -> None:
    write(
        settings,
        {
            "einbuergerung.md": ORIGINAL.replace("2026-09-15", "2026-11-01"),
            "translations/en/einbuergerung.md": ENGLISH,
        },
    )
    loose = settings.model_copy(
        update={
            "refusal_min_relevance": -99.0,
            "refusal_clear_relevance": -99.0,
            "refusal_topic_relevance": -99.0,
        }
    )
    build_index(loose, make_embedder("fake"))
    assistant = Assistant.from_settings(loose)
    answer = assistant.ask("How much is the Gebühr für die Einbürgerung for adults?")
    assert sources(answer)[0] == "translations/en/einbuergerung.md"
    assert "the original was changed on 2026-11-01" in answer.text
    assert "may be out of date" in answer.text
    current = assistant.ask("What is the Gebühr für die Einbürgerung, please?", page_language="en")
    assert "out of date" in current.text, "same pair, same marker"


def test_current_translation_has_no_outdated_marker(assistant: Assistant) -> None:
    answer = assistant.ask("How much is the Gebühr für die Einbürgerung for adults?")
    assert "out of date" not in answer.text


def test_preface_names_the_true_language_of_the_quote(assistant: Assistant) -> None:
    english_doc = assistant.ask("When is the welcome desk open on Mondays?")
    assert sources(english_doc)[0] == "willkommen.md"
    assert "Quoted in" not in english_doc.text, "an English quote for an English question"
    german = assistant.ask("Wann ist der welcome desk am Montag geöffnet? Bitte sagen Sie es mir.")
    assert german.language == "de" and sources(german)[0] == "willkommen.md"
    assert german.text.startswith("Zitat auf Englisch aus den Unterlagen des KI:")
    english_question = assistant.ask("How many hours does the Sprachkurs Integrationskurs have?")
    assert sources(english_question)[0] == "integrationskurs.md"
    assert english_question.text.startswith("Quoted in German from the KI's documents")


def test_answer_from_a_document_without_the_askers_version_is_marked(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("How many hours does the Sprachkurs Integrationskurs have?")
    assert answer.untranslated == ("en", "integrationskurs.md")
    easy = assistant.ask("Wie lange dauert der Sprachkurs im Integrationskurs?", None, "de-x-ls")
    assert easy.untranslated == ("de-x-ls", "integrationskurs.md")
    assert assistant.ask("Wie lange dauert der Sprachkurs?").untranslated is None


def test_quote_note_texts() -> None:
    assert quote_note("de", "en").startswith("Quoted in German from the KI's documents")
    assert "İngilizce" in quote_note("en", "tr")
    assert "الإنجليزية" in quote_note("en", "ar")
    assert "англійська" in quote_note("en", "uk")
    assert quote_note("de", "de-x-ls") == "", "Leichte Sprache askers read German quotes"


def test_leichte_sprache_reads_german_dates() -> None:
    from bot.i18n import format_date

    assert format_date("2026-09-15", "de-x-ls") == "15.09.2026"
    assert format_date("2026-09-15", "en") == "2026-09-15"


def test_asker_language() -> None:
    assert asker_language("de", "de-x-ls") == "de-x-ls"
    assert asker_language("ar", "de-x-ls") == "ar", "an Arabic question on the easy page"
    assert asker_language("de", "ar") == "de"
    assert asker_language("en", None) == "en"


def test_matching_passage_by_section_position_then_by_vector() -> None:
    ids = ["o0", "o1", "o2", "t0", "t1", "t2", "t3"]
    metas = [
        {"source": "a.md", "part": 0},
        {"source": "a.md", "part": 1},
        {"source": "a.md", "part": 2},
        {"source": "t/en/a.md", "lang": "en", "translation_of": "a.md", "part": 0},
        {"source": "t/en/a.md", "lang": "en", "translation_of": "a.md", "part": 1},
        {"source": "t/en/a.md", "lang": "en", "translation_of": "a.md", "part": 1},
        {"source": "t/en/a.md", "lang": "en", "translation_of": "a.md", "part": 2},
    ]
    table = {
        "o0": [1, 0, 0],
        "o1": [0, 1, 0],
        "o2": [0, 0, 1],
        "t0": [0, 0, 1],  # deliberately unlike: the section position decides
        "t1": [1, 0.1, 0],
        "t2": [0.1, 1, 0],
        "t3": [1, 0, 0],
    }

    def vectors(wanted: list[str]) -> np.ndarray:
        return np.asarray([table[i] for i in wanted], dtype=np.float32)

    versions = Versions(ids, metas, vectors)
    assert versions.families == {"a.md": {"de": "a.md", "en": "t/en/a.md"}}
    assert versions.matching(0, "t/en/a.md") == 3, "the one chunk of the same section"
    assert versions.matching(1, "t/en/a.md") == 5, "within the section: the most similar"
    assert versions.matching(6, "a.md") == 2
    assert versions.version_for("a.md", "en") == "t/en/a.md"
    assert versions.version_for("a.md", "en-gb") == "t/en/a.md"
    assert versions.version_for("t/en/a.md", "tr") == "a.md"
    assert not versions.keeps(0, "en") and versions.keeps(3, "en") and versions.keeps(0, "ar")
    # sections that do not line up: the most similar chunk of the whole translation
    uneven = Versions(ids[:6], metas[:6], vectors)
    assert uneven.matching(2, "t/en/a.md") == 3


def test_translation_of_an_unknown_file_stands_alone() -> None:
    metas = [{"source": "x.md", "lang": "ar", "translation_of": "fehlt.md", "part": 0}]
    versions = Versions(["x0"], metas)
    assert not versions.any and versions.keeps(0, "de")


def test_ranking_by_the_askers_version_attaches_the_originals_passage(
    lang_settings: Settings,
) -> None:
    """The other ranking mode: the asker's version competes itself; its hit brings the
    original's matching passage along for the citation."""
    embedder = make_embedder("fake")
    index = load_index(lang_settings, embedder)
    retriever = Retriever(index, embedder, FusionWeights(versions="asker"))
    result = retriever.search("The fee for naturalisation for adults", "en", k=3)
    top = result.hits[0]
    assert top.metadata["source"] == "translations/en/einbuergerung.md"
    assert top.metadata["section"] == "Costs"
    assert top.original is not None and top.original.metadata["section"] == "Kosten"
    german = retriever.search("Die Gebühr für die Einbürgerung", "de", k=3)
    assert all(not h.metadata.get("translation_of") for h in german.hits)


def test_default_ranking_is_by_the_original(lang_settings: Settings) -> None:
    embedder = make_embedder("fake")
    retriever = Retriever(load_index(lang_settings, embedder), embedder)
    result = retriever.search("Gebühr für die Einbürgerung 255 Euro", "en", k=3)
    top = result.hits[0]
    assert top.metadata["source"] == "translations/en/einbuergerung.md"
    assert top.metadata["section"] == "Costs", "the original's best section, in English"
    assert top.original is not None and top.original.metadata["section"] == "Kosten"
