"""Retrieval helpers that the hot path relies on, and which passages an answer quotes."""

from __future__ import annotations

import numpy as np

from bot.answering.answer import select_passages
from bot.answering.retrieval import Hit, RetrievalResult, similarities


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
