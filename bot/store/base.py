"""What the bot needs from a vector store, and nothing of how one is made.

Indexing writes records (id, vector, text, metadata) into a new generation's stores;
answering asks for the nearest records to a question vector and for stored vectors.
Implementations: `bot.store.chroma` (embedded files or a Chroma server) and
`bot.store.memory` (numpy, for tests). `bot.store.factory.open_store` picks one by
`Settings.store`.

Similarity is cosine similarity in [-1, 1], computed by the implementation: only it knows
how its distances relate to cosine (Chroma's collections are made with `hnsw:space: cosine`
and report `1 - cosine`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

Metadata = dict[str, Any]  # str, int, float or bool values (what Chroma can store)
Where = Mapping[str, Sequence[str | int]]  # metadata key -> allowed values (all keys must hold)
Vectors = Sequence[Sequence[float]] | Sequence[np.ndarray] | np.ndarray


class StoreError(RuntimeError):
    """A store cannot be opened or read; the message says which one."""


@dataclass(frozen=True)
class Match:
    """One nearest record of a query, best first; text and metadata are None when the query
    asked for ids and similarities only."""

    id: str
    similarity: float
    text: str | None = None
    metadata: Metadata | None = None
    vector: np.ndarray | None = None  # the stored vector (float32) when asked for


@dataclass(frozen=True)
class Record:
    """One stored record; `vector` is None unless asked for."""

    id: str
    text: str
    metadata: Metadata
    vector: np.ndarray | None = None


class VectorStore(Protocol):
    """One collection of records of one index generation."""

    def add(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        """Store records (ids are new; batching is the store's business)."""
        ...

    def query(
        self,
        vector: Sequence[float] | np.ndarray,
        k: int,
        where: Where | None = None,
        with_text: bool = True,
        with_vectors: bool = False,
    ) -> list[Match]:
        """The k records nearest to `vector` (cosine), best first. `with_text=False` leaves
        out text and metadata (retrieval reads them for the few hits only; reading them
        cost Chroma about 1 ms more per query); `with_vectors` adds the stored vectors
        (retrieval's hub correction needs them: one request less to a Chroma server)."""
        ...

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (float32); unknown ids are left out."""
        ...

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        with_vectors: bool = False,
    ) -> list[Record]:
        """Records by id and/or metadata filter, in no promised order; unknown ids are left
        out. With neither, use `records` (a whole store is read in pages)."""
        ...

    def records(self, with_vectors: bool = False) -> Iterator[Record]:
        """Every record, read in pages so that a large store never needs one huge read."""
        ...

    def count(self) -> int: ...

    def drop(self) -> None:
        """Delete the collection and its records."""
        ...


def require_selection(ids: Sequence[str] | None, where: Where | None) -> None:
    """`get` reads a selection; reading a whole store is `records`, which pages."""
    if ids is None and where is None:
        raise ValueError("get() needs ids or where; records() reads a whole store")


def matches_where(metadata: Metadata, where: Where | None) -> bool:
    """Whether a record's metadata passes a `Where` filter (for stores that filter in Python)."""
    return where is None or all(metadata.get(key) in values for key, values in where.items())
