"""Everyday background passages and other fixed texts shipped in `bot/data`, embedded.

Indexing stores their vectors with each generation (so a start does not embed them) and
answering compares questions with them: the background passages (refusal of off-topic
questions), the requests for a person and the out-of-scope examples. Both sides need the
same texts and the same fingerprints, so they live here, below both.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from importlib import resources

import numpy as np

from bot.embeddings import BotEmbeddings

# The `bot/data` files whose vectors each generation stores -> embedded as questions?
# Together about 140 lines: embedding them cost a start 1.5-7 s on the 2 shared cores.
STORED_TEXTS = {"background.txt": False, "human_contact.txt": True, "out_of_scope.txt": True}


@lru_cache(maxsize=4)
def background_passages() -> tuple[str, ...]:
    return data_lines("background.txt")


def background_fingerprint() -> str:
    """Which background passages stored vectors were made from (they ship with the bot)."""
    return hashlib.sha256("\n".join(background_passages()).encode("utf-8")).hexdigest()


def fingerprint(name: str) -> str:
    """Which lines of a `bot/data` file stored vectors were made from."""
    if name == "background.txt":
        return background_fingerprint()
    return hashlib.sha256("\n".join(data_lines(name)).encode("utf-8")).hexdigest()


_CACHE: dict[tuple[str, str, str], np.ndarray] = {}
# One embedding of a file at a time: a thread that needs vectors another thread is already
# computing (the server's warm-up and a first question) waits for them instead.
_LOCK = threading.Lock()


def remember(embedder: BotEmbeddings, name: str, vectors: np.ndarray) -> None:
    """Vectors of a `bot/data` file read from a generation: `cached_vectors` returns them
    instead of embedding the file."""
    with _LOCK:
        _CACHE[(embedder.model_id, embedder.backend, name)] = np.asarray(vectors, np.float32)


def data_lines(name: str) -> tuple[str, ...]:
    """The non-empty, non-comment lines of a text file in `bot/data`."""
    text = resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and line[0] != "#")


def cached_vectors(embedder: BotEmbeddings, name: str, as_queries: bool) -> np.ndarray:
    """The lines of a `bot/data` file embedded and normalised, once per model and process."""
    key = (embedder.model_id, embedder.backend, name)
    with _LOCK:
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
