"""The vector store contract, run against both implementations (Chroma in tmp_path, memory),
and the factory that picks one from the settings."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.store import chroma
from bot.store.base import StoreError, VectorStore
from bot.store.factory import drop_generation, open_store

GEN = "g-20250101T000000-abcdef"
RNG = np.random.default_rng(3)
VECTORS = RNG.standard_normal((7, 16)).astype(np.float32)
IDS = [f"c{i}" for i in range(7)]
TEXTS = [f"Text Nummer {i}" for i in range(7)]
METAS = [{"chunk": f"doc{i % 3}", "pos": i, "kind": "sentence"} for i in range(7)]


@pytest.fixture(params=["chroma", "memory"])
def kind_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    return settings.model_copy(update={"store": request.param})


@pytest.fixture
def store(kind_settings: Settings) -> Iterator[VectorStore]:
    made = open_store(kind_settings, GEN, create=True)
    made.add(IDS, VECTORS, TEXTS, METAS)
    yield made
    drop_generation(kind_settings, GEN)


def cosine(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    return (matrix @ vector) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector))


def test_query_returns_the_nearest_by_cosine_best_first(store: VectorStore) -> None:
    query = RNG.standard_normal(16).astype(np.float32)
    expected = cosine(VECTORS, query)
    got = store.query(query, 3)
    assert [m.id for m in got] == [IDS[i] for i in np.argsort(-expected)[:3]]
    for match in got:
        position = IDS.index(match.id)
        assert match.similarity == pytest.approx(float(expected[position]), abs=1e-4)
        assert (match.text, match.metadata) == (TEXTS[position], METAS[position])


def test_query_can_leave_out_texts(store: VectorStore) -> None:
    full = store.query(VECTORS[1], 4)
    bare = store.query(VECTORS[1], 4, with_text=False)
    assert [(m.id, m.similarity) for m in bare] == [(m.id, m.similarity) for m in full]
    assert all(m.text is None and m.metadata is None for m in bare)


def test_query_can_return_the_stored_vectors(store: VectorStore) -> None:
    got = store.query(VECTORS[2], 3, with_text=False, with_vectors=True)
    assert got[0].id == "c2"
    for match in got:
        assert match.vector is not None and match.vector.dtype == np.float32
        np.testing.assert_allclose(match.vector, VECTORS[IDS.index(match.id)], rtol=1e-6)
    assert all(m.vector is None for m in store.query(VECTORS[2], 3)), "only when asked for"


def test_similarity_does_not_depend_on_vector_length(store: VectorStore) -> None:
    assert store.query(VECTORS[4] * 5.0, 1)[0].similarity == pytest.approx(1.0, abs=1e-4)
    assert store.query(VECTORS[4], 1)[0].id == "c4"


def test_query_with_a_filter_sees_only_matching_records(store: VectorStore) -> None:
    got = store.query(VECTORS[0], 7, where={"chunk": ["doc1"]})
    assert {m.id for m in got} == {"c1", "c4"}


def test_vectors_by_id_leave_unknown_ids_out(store: VectorStore) -> None:
    got = store.vectors(["c2", "nope", "c5"])
    assert set(got) == {"c2", "c5"}
    np.testing.assert_allclose(got["c5"], VECTORS[5], rtol=1e-6)
    assert got["c5"].dtype == np.float32


def test_get_by_ids_and_by_metadata(store: VectorStore) -> None:
    by_id = {r.id: r for r in store.get(ids=["c6", "c0", "missing"])}
    assert set(by_id) == {"c0", "c6"}
    assert by_id["c6"].text == TEXTS[6] and by_id["c6"].metadata == METAS[6]
    assert by_id["c6"].vector is None, "vectors only when asked for"
    chunks = store.get(where={"chunk": ["doc0", "doc2"]}, with_vectors=True)
    assert sorted(r.id for r in chunks) == ["c0", "c2", "c3", "c5", "c6"]
    for record in chunks:
        assert record.vector is not None
        np.testing.assert_allclose(record.vector, VECTORS[IDS.index(record.id)], rtol=1e-6)
    both = store.get(where={"chunk": ["doc0"], "pos": [3, 4]})
    assert [r.id for r in both] == ["c3"], "every key of the filter must hold"
    with pytest.raises(ValueError, match="records"):
        store.get()


def test_records_read_everything_in_pages(
    store: VectorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chroma, "PAGE", 2)  # Chroma pages below SQLite's variable limit
    records = list(store.records(with_vectors=True))
    assert sorted(r.id for r in records) == IDS
    for record in records:
        position = IDS.index(record.id)
        assert (record.text, record.metadata) == (TEXTS[position], METAS[position])
        np.testing.assert_allclose(record.vector, VECTORS[position], rtol=1e-6)
    assert store.count() == 7


def test_large_adds_and_id_lists_are_split(
    kind_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chroma, "ADD_BATCH", 3)
    monkeypatch.setattr(chroma, "PAGE", 4)
    made = open_store(kind_settings, GEN, units=True, create=True)
    vectors = RNG.standard_normal((10, 8)).astype(np.float32)
    ids = [f"u{i}" for i in range(10)]
    made.add(ids, vectors, [f"t{i}" for i in ids], [{"chunk": "x"} for _ in ids])
    assert made.count() == 10
    assert set(made.vectors(ids)) == set(ids)
    assert len(made.get(ids=ids)) == 10
    drop_generation(kind_settings, GEN)


def test_a_missing_store_is_not_made_without_create(kind_settings: Settings) -> None:
    with pytest.raises(StoreError):
        open_store(kind_settings, "g-20250101T000000-000000")


def test_reopened_store_has_the_records(kind_settings: Settings, store: VectorStore) -> None:
    again = open_store(kind_settings, GEN)
    assert again.count() == 7
    assert again.query(VECTORS[2], 1)[0].id == "c2"


def test_drop_deletes_the_collection(kind_settings: Settings, store: VectorStore) -> None:
    store.drop()
    with pytest.raises(StoreError):
        open_store(kind_settings, GEN)


def test_chunks_and_units_are_separate_collections(kind_settings: Settings) -> None:
    chunks = open_store(kind_settings, GEN, create=True)
    units = open_store(kind_settings, GEN, units=True, create=True)
    chunks.add(["a"], VECTORS[:1], ["A"], [{"chunk": "a"}])
    assert (chunks.count(), units.count()) == (1, 0)
    drop_generation(kind_settings, GEN)


def test_unknown_store_is_rejected_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_STORE", "faiss")
    with pytest.raises(SettingsError, match="store"):
        load_settings(env_file=None)
    monkeypatch.setenv("BOT_STORE", "memory")
    monkeypatch.setenv("BOT_CHROMA_URL", "http://localhost:8000")
    with pytest.raises(SettingsError, match="chroma_url"):
        load_settings(env_file=None)


def test_factory_refuses_a_store_it_does_not_know(settings: Settings) -> None:
    odd = settings.model_copy(update={"store": "faiss"})  # model_copy skips validation
    with pytest.raises(ValueError, match="faiss"):
        open_store(odd, GEN, create=True)


def test_chroma_collections_search_wide_enough_to_answer_alike_every_time(
    settings: Settings,
) -> None:
    """HNSW is approximate: with Chroma's default breadth the same question found a
    passage in some processes and not in others. New collections search wider."""
    made = chroma.open_chroma(settings, GEN, "chunks", create=True)
    try:
        assert made._collection.configuration["hnsw"]["ef_search"] == chroma.SEARCH_EF
    finally:
        drop_generation(settings.model_copy(update={"store": "chroma"}), GEN)
