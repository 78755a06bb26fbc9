"""Everyday background passages and other fixed texts shipped in `bot/data`, embedded.

Indexing stores the background vectors with each generation (so a start does not embed
them) and retrieval compares questions with them (refusal of off-topic questions). Both
need the same passages and the same fingerprint, so they live here, below both.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

import numpy as np

from bot.embeddings import BotEmbeddings


@lru_cache(maxsize=4)
def background_passages() -> tuple[str, ...]:
    return data_lines("background.txt")


def background_fingerprint() -> str:
    """Which background passages stored vectors were made from (they ship with the bot)."""
    return hashlib.sha256("\n".join(background_passages()).encode("utf-8")).hexdigest()


_CACHE: dict[tuple[str, str, str], np.ndarray] = {}


def data_lines(name: str) -> tuple[str, ...]:
    """The non-empty, non-comment lines of a text file in `bot/data`."""
    text = resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and line[0] != "#")


def cached_vectors(embedder: BotEmbeddings, name: str, as_queries: bool) -> np.ndarray:
    """The lines of a `bot/data` file embedded and normalised, once per model and process."""
    key = (embedder.model_id, embedder.backend, name)
    if key not in _CACHE:
        lines = list(data_lines(name))
        raw = (
            [embedder.embed_query(line) for line in lines]
            if as_queries
            else embedder.embed_documents(lines)
        )
        vectors = np.asarray(raw, np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        _CACHE[key] = vectors / norms
    return _CACHE[key]


def background_vectors(embedder: BotEmbeddings) -> np.ndarray:
    """Everyday passages embedded once per model and process (about a second with e5)."""
    return cached_vectors(embedder, "background.txt", as_queries=False)
