"""Retrieval helpers that the hot path relies on, and which passages an answer quotes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.answering.answer import select_passages
from bot.answering.retrieval import (
    Hit,
    RetrievalResult,
    Retriever,
    similarities,
    spread_positions,
)
from bot.config import Settings
from bot.indexing.build import LoadedIndex, build_index, current_generation, load_index
from bot.store.factory import drop_generation
from bot.store.memory import MemoryStore
from tests.conftest import FakeEmbeddings


def test_similarities_match_the_matrix_product() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((300, 384)).astype(np.float32)
    vector = rng.standard_normal(384).astype(np.float32)
    got = similarities(matrix, vector)
    assert got.shape == (300,)
    np.testing.assert_allclose(got, matrix.astype(np.float64) @ vector, rtol=1e-4, atol=1e-3)
    assert int(got.argmax()) == int((matrix @ vector).argmax())


def _hit(cid: str, source: str, dense: float, score: float) -> Hit:
    return Hit(id=cid, text=f"Text {cid}.", metadata={"source": source}, score=score, dense=dense)


def _result(language: str, hits: list[Hit]) -> RetrievalResult:
    return RetrievalResult(hits=hits, language=language, z_score=5.0, top_dense=hits[0].dense)


def test_second_passage_from_another_document_only_for_non_german_questions() -> None:
    hits = [
        _hit("a1", "kontakt.md", 0.838, 0.091),
        _hit("b1", "einbuergerung.md", 0.828, 0.083),
        _hit("c1", "arbeit.md", 0.700, 0.077),
    ]
    assert [h.id for h in select_passages(_result("en", hits))] == ["a1", "b1"]
    assert [h.id for h in select_passages(_result("de", hits))] == ["a1"]


def test_close_passage_of_the_same_document_comes_first() -> None:
    hits = [
        _hit("a1", "kontakt.md", 0.838, 0.091),
        _hit("b1", "diskriminierung.md", 0.836, 0.083),
        _hit("a2", "kontakt.md", 0.830, 0.077),
    ]
    for language in ("de", "ar"):
        assert [h.id for h in select_passages(_result(language, hits))] == ["a1", "a2"]


def test_top_positions_equals_a_full_stable_sort() -> None:
    import numpy as np

    from bot.answering.retrieval import top_positions

    rng = np.random.default_rng(7)
    for size, k, top in [
        (0, 5, 6),
        (3, 5, 6),
        (50, 20, 6),
        (1000, 20, 6),
        (1000, 1, 6),
        (999, 20, 2),
    ]:
        scores = rng.integers(0, top, size=size).astype(np.float32)  # many ties
        expected = np.argsort(-scores, kind="stable")[:k]
        assert top_positions(scores, k).tolist() == expected.tolist()
    sparse = np.zeros(1000, dtype=np.float32)
    sparse[[900, 10, 500]] = [1.0, 2.0, 1.0]  # fewer positive scores than k
    assert top_positions(sparse, 5).tolist() == [10, 500, 900, 0, 1]


# --- retrieval over a real index in the memory store -----------------------------------------

DOCS = {
    "einbuergerung.md": "# Einbürgerung\n\n## Kosten\nDie Einbürgerung kostet 255 Euro.\n",
    "kurs.md": "# Integrationskurs\n\n## Dauer\nDer Integrationskurs dauert 700 Stunden.\n",
    "kita.md": "# Kita\n\n## Anmeldung\nDie Anmeldung für die Kita erfolgt beim Jugendamt.\n",
}


@pytest.fixture
def memory_index(settings: Settings, fake_embedder: FakeEmbeddings) -> Iterator[LoadedIndex]:
    memory = settings.model_copy(update={"store": "memory"})
    for name, text in DOCS.items():
        (memory.corpus_dir / name).write_text(text, encoding="utf-8")
    build_index(memory, fake_embedder)
    yield load_index(memory, fake_embedder)
    drop_generation(memory, current_generation(memory.index_dir) or "")


def test_memory_index_is_built_without_files_of_chroma(memory_index: LoadedIndex) -> None:
    assert isinstance(memory_index.collection, MemoryStore)
    assert memory_index.collection.count() == len(memory_index.ids) == 3
    assert memory_index.units is not None and memory_index.units.count() >= 3
    assert not list(Path.cwd().glob("index/*/chroma")), "no Chroma files for the memory store"


def test_search_finds_the_passage_and_reports_its_cosine(memory_index: LoadedIndex) -> None:
    embedder = FakeEmbeddings()
    result = Retriever(memory_index, embedder).search("Was kostet die Einbürgerung?", "de", k=3)
    top = result.hits[0]
    assert top.metadata["source"] == "einbuergerung.md"
    query = np.asarray(embedder.embed_query("Was kostet die Einbürgerung?"), np.float32)
    stored = memory_index.collection.vectors([top.id])[top.id]
    cosine = float(stored @ query / (np.linalg.norm(stored) * np.linalg.norm(query)))
    assert top.dense == pytest.approx(cosine, abs=1e-5)
    assert result.top_dense == pytest.approx(max(h.dense for h in result.hits), abs=1e-6)


def test_a_passage_found_only_by_bm25_gets_its_similarity_from_the_store(
    memory_index: LoadedIndex,
) -> None:
    """With one dense candidate, the other German hit comes from BM25 alone; its similarity
    is then computed from its stored vector instead of the store's query."""
    embedder = FakeEmbeddings()
    question = "Kita Anmeldung Jugendamt und Integrationskurs Stunden"
    result = Retriever(memory_index, embedder, candidates=1).search(question, "de", k=3)
    assert len(result.hits) >= 2
    query = np.asarray(embedder.embed_query(question), np.float32)
    for hit in result.hits:
        stored = memory_index.collection.vectors([hit.id])[hit.id]
        assert hit.dense == pytest.approx(float(np.dot(stored, query)), abs=1e-5)


@pytest.mark.parametrize("wanted", [1, 7, 2000])
def test_the_calibration_sample_from_file_spans_is_the_one_from_a_list_per_chunk(
    wanted: int,
) -> None:
    rng = np.random.default_rng(wanted)
    counts = rng.integers(0, 30, size=200)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    chosen = [(int(a), int(c)) for a, c in zip(starts, counts, strict=True) if rng.random() < 0.7]
    listed = [p for start, count in chosen for p in range(start, start + count)]
    step = max(1, -(-len(listed) // wanted))
    assert spread_positions(chosen, wanted) == listed[::step]
    assert spread_positions([], wanted) == []


def test_only_key_terms_the_corpus_lacks_are_looked_up_in_the_glossary(
    memory_index: LoadedIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a word names a topic the documents speak of in other words only matters for
    a word they do not use: the look-up (about 0.4-1.8 ms a word) is spared for the others."""
    looked_up: list[str] = []
    names = Retriever._names_a_used_topic

    def recording(self: Retriever, word: str) -> bool:
        looked_up.append(word)
        return names(self, word)

    monkeypatch.setattr(Retriever, "_names_a_used_topic", recording)
    retriever = Retriever(memory_index, FakeEmbeddings())
    known = retriever.search("Was kostet die Einbürgerung beim Jugendamt?", "de")
    assert known.unknown_terms == [] and looked_up == []
    lacking = retriever.search("Was kostet die Schufa beim Jugendamt?", "de")
    assert lacking.unknown_terms == ["schufa"] and looked_up == ["Schufa"]
