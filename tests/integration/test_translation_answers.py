"""Translations with the real embedder (bundled e5) and real Chroma: an Arabic and a
Ukrainian question quote their language's version first and cite the original too; a German
question quotes the German original."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.answering.assistant import Assistant
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    "einbuergerung.md",
    "integrationskurs.md",
    "schulanmeldung.md",
    "anerkennung.md",
    "familiennachzug.md",
    "translations/ar/einbuergerung.md",
    "translations/ar/integrationskurs.md",
    "translations/uk/einbuergerung.md",
    "translations/uk/integrationskurs.md",
    "translations/de-x-ls/einbuergerung.md",
]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("translations")
    for name in FILES:
        target = root / "corpus" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "corpus" / name, target)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        data_dir=root / "data",
        embedding_model="intfloat/multilingual-e5-small",
    )
    build_index(settings, make_embedder(settings.embedding_model))
    return Assistant.from_settings(settings)


@pytest.mark.parametrize(
    ("question", "language", "translation", "fact"),
    [
        ("كم تكلفة التجنّس للشخص البالغ؟", "ar", "translations/ar/einbuergerung.md", "255"),
        (
            "Скільки навчальних годин має мовний курс в інтеграційному курсі?",
            "uk",
            "translations/uk/integrationskurs.md",
            "600",
        ),
    ],
)
def test_question_in_a_translated_language_quotes_the_translation(
    assistant: Assistant, question: str, language: str, translation: str, fact: str
) -> None:
    answer = assistant.ask(question)
    assert answer.language == language and not answer.refused
    sources = [c.source for c in answer.sources]
    assert sources[0] == translation, sources
    original = translation.rsplit("/", 1)[-1]
    assert original in sources, "the original is cited as well"
    assert fact in answer.text
    assert "مقتبسة بالألمانية" not in answer.text and "цитата німецькою" not in answer.text


def test_german_question_quotes_the_german_original(assistant: Assistant) -> None:
    answer = assistant.ask("Was kostet die Einbürgerung für Erwachsene?")
    sources = [c.source for c in answer.sources]
    assert sources[0] == "einbuergerung.md", sources
    assert not any(s.startswith("translations/") for s in sources)
    assert "255 Euro" in answer.text


def test_leichte_sprache_page_quotes_the_easy_version(assistant: Assistant) -> None:
    answer = assistant.ask("Ich will Deutscher werden. Wie viel Geld kostet das?", None, "de-x-ls")
    assert answer.sources[0].source == "translations/de-x-ls/einbuergerung.md"
    assert "255 Euro" in answer.text
