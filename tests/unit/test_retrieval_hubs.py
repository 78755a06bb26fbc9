"""The hub correction: a chunk that is near every question must not take first place
from the chunk that is about the question (see FusionWeights.hub_centroid)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.answering.retrieval import FusionWeights, Retriever
from bot.config import Settings
from bot.indexing.build import build_index, load_index
from tests.conftest import FakeEmbeddings

GENERIC = "Bitte bringen Sie Ihren Pass und Ihre Unterlagen zum Termin in der Beratung mit."
TOPICS = {
    "kita": "Ein Platz in der Kita wird beim Jugendamt beantragt.",
    "schule": "Die Schule meldet das Kind beim Schulamt an.",
    "kurs": "Der Kurs hat 700 Stunden Unterricht.",
    "pass": "Der Antrag auf einen Pass wird im Rathaus gestellt.",
    "arbeit": "Die Arbeit beginnt nach der Erlaubnis der Ausländerbehörde.",
}


@pytest.fixture
def retrievers(settings: Settings, fake_embedder: FakeEmbeddings) -> tuple[Retriever, Retriever]:
    """The same index searched without and with the hub correction."""
    for name, specific in TOPICS.items():
        text = (
            f"---\ntitle: {name}\n---\n# {name}\n\n## Mitbringen\n{GENERIC}\n\n"
            f"## Wissen\n{specific}\n"
        )
        (settings.corpus_dir / f"{name}.md").write_text(text, encoding="utf-8")
    build_index(settings, fake_embedder)
    index = load_index(settings, fake_embedder)
    plain = Retriever(index, fake_embedder, replace(FusionWeights(), hub_centroid=0.0))
    return plain, Retriever(index, fake_embedder, FusionWeights())


def _first_section(retriever: Retriever, question: str) -> str:
    return str(retriever.search(question, "de", k=3).hits[0].metadata["section"])


def test_a_chunk_near_every_question_loses_first_place(
    retrievers: tuple[Retriever, Retriever],
) -> None:
    plain, corrected = retrievers
    question = "Arbeit Erlaubnis Pass Unterlagen Termin"
    assert "Mitbringen" in _first_section(plain, question)
    assert "Wissen" in _first_section(corrected, question)
    # a question that asks for the generic chunk still gets it
    assert "Mitbringen" in _first_section(corrected, "Muss ich zur Arbeit Unterlagen mitbringen?")


def test_the_correction_leaves_the_similarity_the_refusal_reads(
    retrievers: tuple[Retriever, Retriever],
) -> None:
    plain, corrected = retrievers
    question = "Wann beginnt die Arbeit mit der Erlaubnis?"
    a, b = plain.search(question, "de"), corrected.search(question, "de")
    assert a.top_dense == b.top_dense
    assert a.z_score == b.z_score
