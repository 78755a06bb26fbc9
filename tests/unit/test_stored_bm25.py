"""BM25 is stored with each generation and mapped at load; serving reads chunk texts only for
the hits of a question, never the whole store (bot.indexing.lexical)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.answering.retrieval import GermanBM25, Retriever
from bot.config import Settings
from bot.indexing import build
from bot.indexing.build import build_index, current_generation, load_index
from bot.indexing.lexical import LEXICAL_DIR, lexical_text
from bot.store.memory import MemoryStore
from tests.conftest import FakeEmbeddings, list_chunk_ids

TOPICS = {
    "einbuergerung": "Die Einbürgerung kostet 255 Euro. Den Antrag stellen Sie im Kreishaus.",
    "kita": "Für einen Kitaplatz melden Sie Ihr Kind beim Jugendamt an. Die Kita ist kostenlos.",
    "schule": "Die Schulanmeldung für Seiteneinsteiger macht das Kommunale Integrationszentrum.",
    "sprachkurs": "Der Integrationskurs hat 700 Stunden. Die Gebühr zahlt oft das Bundesamt.",
    "wohnung": "Bei Problemen mit dem Vermieter hilft die Beratungsstelle. Die Miete prüfen wir.",
    "arbeit": "Die Anerkennung Ihres Abschlusses beantragen Sie bei der zuständigen Stelle.",
}
QUESTIONS = [
    "Was kostet die Einbürgerung?",
    "Wie melde ich mein Kind für die Kita an?",
    "Wie viele Stunden hat der Integrationskurs?",
    "Wer hilft bei Problemen mit dem Vermieter wegen der Miete?",
    "Anerkennung Abschluss Stelle Gebühr",
]


def write(settings: Settings, name: str, text: str) -> None:
    body = f"---\ntitle: {name.title()}\n---\n# {name.title()}\n\n## Info\n{text}\n"
    (settings.corpus_dir / f"{name}.md").write_text(body, encoding="utf-8")


@pytest.fixture
def memory(settings: Settings) -> Settings:
    memory = settings.model_copy(update={"store": "memory"})
    for name, text in TOPICS.items():
        write(memory, name, text)
    build_index(memory, FakeEmbeddings())
    return memory


def in_memory_bm25(retriever: Retriever) -> tuple[GermanBM25, list[str]]:
    """What serving built at every start before: bm25s over every served text."""
    index = retriever.index
    texts, metas = index.texts, index.metadatas
    ids = list(index.ids)
    return GermanBM25([lexical_text(t, m) for t, m in zip(texts, metas, strict=True)], ids), ids


def by_id(bm25: GermanBM25, scores: np.ndarray) -> dict[str, float]:
    return {bm25.id_at(i): float(s) for i, s in enumerate(scores) if s > 0}


def test_serving_never_reads_the_whole_store(
    memory: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def whole_store(self: MemoryStore, with_vectors: bool = False) -> None:
        raise AssertionError("serving read every record")

    monkeypatch.setattr(build, "PRELOAD_CHUNKS", 0)  # as a large generation
    monkeypatch.setattr(MemoryStore, "records", whole_store)
    embedder = FakeEmbeddings()
    index = load_index(memory, embedder)
    assert index.preloaded is None and index.lexical is not None
    result = Retriever(index, embedder).search("Was kostet die Einbürgerung?", "de", k=2)
    assert "255 Euro" in result.hits[0].text
    assert result.hits[0].metadata["source"] == "einbuergerung.md"


def test_stored_bm25_scores_what_bm25s_scores_over_the_same_texts(memory: Settings) -> None:
    embedder = FakeEmbeddings()
    retriever = Retriever(load_index(memory, embedder), embedder)
    built, _ = in_memory_bm25(retriever)
    assert retriever.bm25.size == built.size == len(TOPICS)
    for question in QUESTIONS:
        stored = retriever.bm25.scores(question)
        assert stored.dtype == np.float32 and np.any(stored > 0)
        assert by_id(retriever.bm25, stored) == by_id(built, built.scores(question)), question
    for stem in ("einburger", "kitaplatz", "vermiet"):
        assert (stem in retriever.bm25.vocab) == (stem in built.vocab)
    assert "vermiet" in retriever.bm25.vocab and "zauberflot" not in retriever.bm25.vocab
    assert retriever.bm25.split_compound("kitaanmeldung") == built.split_compound("kitaanmeldung")


def test_an_update_layer_is_scored_with_the_statistics_of_all_served_chunks(
    memory: Settings,
) -> None:
    write(memory, "kita", "Für einen Kitaplatz zahlen Sie nichts. Zauberflöte im Kindergarten.")
    build_index(memory, FakeEmbeddings(), rebuild=True)
    write(memory, "kita", "Für einen Kitaplatz melden Sie Ihr Kind an. Die Anmeldung ist online.")
    build_index(memory, FakeEmbeddings())  # the first version is now stale in the base layer
    embedder = FakeEmbeddings()
    retriever = Retriever(load_index(memory, embedder), embedder)
    assert build.layers_of(retriever.index.manifest), "a layered generation"
    assert "zauberflot" not in retriever.bm25.vocab, "a stale chunk's words are not known"
    assert not np.any(retriever.bm25.scores("Zauberflöte") > 0)
    built, _ = in_memory_bm25(retriever)
    for question in [*QUESTIONS, "Kitaplatz Anmeldung online"]:
        stored = by_id(retriever.bm25, retriever.bm25.scores(question))
        expected = by_id(built, built.scores(question))
        assert set(stored) == set(expected), question
        # the same IDF; only the length normalisation is each layer's own
        for cid, score in expected.items():
            assert stored[cid] == pytest.approx(score, rel=0.15), (question, cid)


def test_a_generation_without_stored_bm25_loads_as_before(
    memory: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    embedder = FakeEmbeddings()
    stored = Retriever(load_index(memory, embedder), embedder)
    expected = [
        [(h.id, round(h.score, 6)) for h in stored.search(q, "de", k=3).hits] for q in QUESTIONS
    ]
    generation = current_generation(memory.index_dir) or ""
    folder = memory.index_dir / generation
    list_chunk_ids(memory.index_dir, generation)  # as a generation of an older version
    shutil.rmtree(folder / LEXICAL_DIR)
    with caplog.at_level(logging.WARNING):
        index = load_index(memory, embedder)
    assert index.lexical is None and index.preloaded is not None
    assert "no stored BM25" in caplog.text
    old = Retriever(index, embedder)
    assert [
        [(h.id, round(h.score, 6)) for h in old.search(q, "de", k=3).hits] for q in QUESTIONS
    ] == expected
    build_index(memory, FakeEmbeddings(), rebuild=True)
    assert load_index(memory, embedder).lexical is not None, "a rebuild stores it again"


def test_served_ids_keep_the_store_order(memory: Settings, tmp_path: Path) -> None:
    index = load_index(memory, FakeEmbeddings())
    assert list(index.ids) == [r.id for r in index.collection.records()]
    assert index.ids[-1] == index.ids[len(TOPICS) - 1] and index.ids[1:3] == list(index.ids)[1:3]
    assert len(index.ids) == index.manifest.chunks == len(TOPICS)


def test_a_small_generation_is_held_a_large_one_read_per_question(
    memory: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = FakeEmbeddings()
    small = load_index(memory, embedder)
    assert small.preloaded is not None and len(small.preloaded) == len(TOPICS)
    monkeypatch.setattr(build, "PRELOAD_CHUNKS", len(TOPICS) - 1)
    monkeypatch.setattr(build, "RECENT_CHUNKS", 2)
    large = load_index(memory, embedder)
    assert large.preloaded is None
    reads: list[list[str]] = []
    original = MemoryStore.get

    def counted(self: MemoryStore, ids: list[str] | None = None, **kwargs: object) -> object:
        reads.append(list(ids or []))
        return original(self, ids, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryStore, "get", counted)
    first, second, third = large.ids[:3]
    got = large.chunks([first, second, "unknown-id"])
    assert set(got) == {first, second} and got[first].text == small.preloaded[first].text
    assert large.chunks([second, first]).keys() == {first, second}
    assert reads == [[first, second, "unknown-id"]], "the recently read come from memory"
    large.chunks([third])  # the least recently used ({second}) makes room
    large.chunks([first, second])
    assert reads[-1] == [second]


def test_an_update_layer_is_searched_in_memory(
    memory: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    chroma = memory.model_copy(
        update={"store": "chroma", "index_dir": memory.index_dir.with_name("chroma-index")}
    )
    build_index(chroma, FakeEmbeddings())
    write(chroma, "kita", "Für einen Kitaplatz melden Sie Ihr Kind online an. Er kostet 80 Euro.")
    build_index(chroma, FakeEmbeddings())
    embedder = FakeEmbeddings()
    monkeypatch.setattr(build, "SMALL_LAYER", 3)  # the base layer (6 chunks) stays in Chroma
    index = load_index(chroma, embedder)
    # (two runs within one second: generation names need not sort by time)
    update, base = sorted(index.collection.layers, key=lambda x: len(x.serves))  # type: ignore[attr-defined]
    assert not isinstance(base.store, MemoryStore) and isinstance(update.store, MemoryStore)
    monkeypatch.setattr(build, "SMALL_LAYER", 0)
    remote = load_index(chroma, embedder)
    assert not any(isinstance(layer.store, MemoryStore) for layer in remote.collection.layers)  # type: ignore[attr-defined]
    for question in QUESTIONS + ["Was kostet der Kitaplatz online?"]:
        vector = embedder.embed_query(question)
        near = index.collection.query(vector, 4, with_vectors=True)
        assert [(m.id, round(m.similarity, 5)) for m in near] == [
            (m.id, round(m.similarity, 5)) for m in remote.collection.query(vector, 4)
        ]
    hit = Retriever(index, embedder).search("Was kostet der Kitaplatz?", "de", k=1).hits[0]
    assert "80 Euro" in hit.text


def test_postings_read_by_pread_are_the_mapped_slices(tmp_path: Path) -> None:
    """A term's postings are read from the file (page cache), not sliced from the map:
    the same numbers for any slice, empty and clipped ones included."""
    import gc

    from bot.indexing.lexical import _Postings

    values = np.arange(1000, dtype=np.float32) * 0.5
    np.save(tmp_path / "data.npy", values)
    mapped = np.load(tmp_path / "data.npy", mmap_mode="r")
    postings = _Postings(mapped)
    for start, end in [(0, 10), (500, 501), (990, 2000), (7, 7), (999, 1000)]:
        np.testing.assert_array_equal(postings[start:end], mapped[start:end])
    assert len(postings) == 1000
    in_memory = _Postings(values)  # not a file: sliced as before
    np.testing.assert_array_equal(in_memory[3:9], values[3:9])
    fd = postings._fd
    assert fd is not None
    del postings
    gc.collect()
    with pytest.raises(OSError):
        os.fstat(fd)  # the file is closed with its reader


def test_a_word_with_an_accent_is_found_at_the_start_of_a_corpus_word() -> None:
    """The stemmer leaves accented words whole: "Sprachcafé" (the glossary's term) is not
    among the stems of a corpus that only says "Sprachcafés", but begins one of them."""
    bm25 = GermanBM25(["Unsere Sprachcafés sind offen.", "Die Rente"], ["c1", "c2"])
    (stem,) = bm25.stems("Sprachcafé")
    assert stem not in bm25.vocab
    assert bm25.begins_a_word(stem)
    assert not bm25.begins_a_word("spra"), "a short stem begins too many words"
    assert not bm25.begins_a_word(bm25.stems("Steuererklärung")[0])


def test_a_compound_counts_as_used_only_when_one_passage_holds_its_parts() -> None:
    """ "Kitaplatz" is used where a passage speaks of a place in a Kita; "Kindergeld" is
    not used by documents that say "Kinder" in one passage and "Geld" in another."""
    texts = ["Anmeldung für einen Platz in der Kita.", "Kinder lernen schnell.", "Geld sparen."]
    bm25 = GermanBM25(texts, ["c1", "c2", "c3"])
    (kitaplatz,) = bm25.stems("Kitaplatz")
    (kindergeld,) = bm25.stems("Kindergeld")
    assert bm25.together(bm25.split_compound(kitaplatz))
    assert bm25.split_compound(kindergeld) and not bm25.together(bm25.split_compound(kindergeld))
    assert not bm25.together([])
