"""With an LLM, a question in a language the documents are not written in is answered in
that language, marked as machine-written in that language, with the German source cited; a
broken server still gives the extractive answer with a note. Loopback fake OpenAI server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.answering.assistant import Assistant
from bot.answering.llm import machine_written_note
from bot.answering.retrieval import Hit
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.i18n import language_name, message
from bot.indexing.build import build_index
from tests.conftest import collect
from tests.llm_server import FakeLLMServer

DOC = """---
title: Einbürgerung
updated: 2026-10-01
url: https://www.rhein-sieg-kreis.de/
---
# Einbürgerung

## Kosten
Die Gebühr für die Einbürgerung beträgt 255 Euro für Erwachsene.
Für minderjährige Kinder, die mit einem Elternteil eingebürgert werden, kostet es 51 Euro.
"""

# what a model writes when asked for each language (the fake server reads the prompt)
WRITTEN = {
    "Français (fr)": "La naturalisation coûte 255 euros pour un adulte [1].",
    "Türkçe (tr)": "Vatandaşlığa geçiş ücreti yetişkinler için 255 Euro'dur [1].",
    "Deutsch (de)": "Die Einbürgerung kostet 255 Euro für Erwachsene [1].",
}


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as fake:

        def reply(body: dict[str, Any]) -> str:
            rules = body["messages"][0]["content"]
            asked = [name for name in WRITTEN if f"Write in {name}" in rules]
            return WRITTEN[asked[0]] if len(asked) == 1 else "?"  # "?" cites nothing

        fake.reply_for = reply
        yield fake


@pytest.fixture
def assistant(settings: Settings, server: FakeLLMServer) -> Assistant:
    (settings.corpus_dir / "einbuergerung.md").write_text(DOC, encoding="utf-8")
    settings = settings.model_copy(
        update={
            "refusal_min_relevance": -99.0,
            "refusal_clear_relevance": -99.0,
            "refusal_topic_relevance": -99.0,
            "llm_base_url": server.url,
            "llm_model": "fake",
            "llm_first_token_timeout_seconds": 2.0,
            "llm_timeout_seconds": 4.0,
        }
    )
    build_index(settings, make_embedder("fake"))
    return Assistant.from_settings(settings)


@pytest.mark.parametrize(
    ("question", "language", "name"),
    [
        ("Combien coûte la naturalisation (Einbürgerung) pour un adulte ?", "fr", "Français (fr)"),
        ("Einbürgerung ücreti yetişkinler için ne kadar?", "tr", "Türkçe (tr)"),
    ],
)
def test_answer_in_the_askers_language_is_marked_and_cites_the_german_source(
    assistant: Assistant, server: FakeLLMServer, question: str, language: str, name: str
) -> None:
    deltas, answer = collect(assistant, question)
    assert answer.language == language and answer.mode == "llm" and not answer.refused
    marker = message("machine_written", language)
    assert marker != message("machine_written", "de"), "the marker is in the asker's language"
    assert answer.text.startswith(f"**{marker}**\n\n")
    assert WRITTEN[name] in answer.text
    assert deltas and deltas[0].startswith(f"**{marker}**"), "shown first while streaming"
    [source] = answer.sources
    assert (source.source, source.title, source.section) == (
        "einbuergerung.md",
        "Einbürgerung",
        "Kosten",
    )
    assert "255 Euro" in source.excerpt, "the German passage is what is cited"
    rules = server.requests[-1]["messages"][0]["content"]
    assert f"Write in {name}" in rules


def test_german_answer_from_german_sources_has_no_marker(assistant: Assistant) -> None:
    _, answer = collect(assistant, "Was kostet die Einbürgerung Gebühr?")
    assert answer.mode == "llm" and answer.text == WRITTEN["Deutsch (de)"]


def test_broken_server_falls_back_to_the_extractive_answer_with_a_note(
    assistant: Assistant, server: FakeLLMServer
) -> None:
    server.mode = "500"
    _, answer = collect(assistant, "Einbürgerung ücreti yetişkinler için ne kadar?")
    assert answer.mode == "extractive" and not answer.refused
    assert answer.notice == message("llm_fallback", "tr")
    assert answer.text.startswith("Not: Dil hizmeti şu anda kullanılamıyor.")
    assert "255 Euro" in answer.text and answer.sources[0].source == "einbuergerung.md"
    assert message("machine_written", "tr") not in answer.text, "quoted, not machine-written"


def test_marker_only_when_the_sources_are_in_another_language() -> None:
    german = Hit("a", "Text", {"source": "a.md"}, 1.0)
    turkish = Hit("b", "Metin", {"source": "tr/a.md", "lang": "tr"}, 1.0)
    easy = Hit("c", "Text", {"source": "ls/a.md", "lang": "de-x-ls"}, 1.0)
    assert machine_written_note("de", [german, easy]) == ""
    assert machine_written_note("tr", [turkish]) == ""
    assert machine_written_note("tr", [turkish, german]) == message("machine_written", "tr")
    assert machine_written_note("fr", [german]).startswith("Traduction automatique")


def test_language_names_for_the_prompt() -> None:
    assert language_name("fa") == "فارسی (fa)"
    assert language_name("pl") == "Polski (pl)"
    assert language_name("xx") == "Deutsch (de)", "unknown codes: the corpus language"
