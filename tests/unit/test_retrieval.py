"""Retrieval helpers that the hot path relies on."""

from __future__ import annotations

import numpy as np

from bot.retrieval import similarities


def test_similarities_match_the_matrix_product() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((300, 384)).astype(np.float32)
    vector = rng.standard_normal(384).astype(np.float32)
    got = similarities(matrix, vector)
    assert got.shape == (300,)
    np.testing.assert_allclose(got, matrix.astype(np.float64) @ vector, rtol=1e-4, atol=1e-3)
    assert int(got.argmax()) == int((matrix @ vector).argmax())
