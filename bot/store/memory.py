"""A vector store in memory (numpy): for unit tests and experiments, never for serving.

Stores live in a process-wide registry keyed by index folder and collection name, so a
generation built in a test can be opened again by `load_index`, as with Chroma's files.
Exact search: every query compares with every vector (fine for test-sized corpora).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np

from bot.config import Settings
from bot.store.base import (
    Match,
    Metadata,
    Record,
    StoreError,
    Vectors,
    VectorStore,
    Where,
    matches_where,
    require_selection,
)

_REGISTRY: dict[tuple[str, str], MemoryStore] = {}
_LOCK = threading.Lock()


def _key(settings: Settings, name: str) -> tuple[str, str]:
    return (str(settings.index_dir.resolve()), name)


def open_memory(settings: Settings, name: str, create: bool) -> MemoryStore:
    with _LOCK:
        store = _REGISTRY.get(_key(settings, name))
        if store is None:
            if not create:
                raise StoreError(f"no store {name!r} in memory")
            store = _REGISTRY[_key(settings, name)] = MemoryStore(name)
        return store


def drop_generation(settings: Settings, names: Sequence[str]) -> None:
    with _LOCK:
        for name in names:
            _REGISTRY.pop(_key(settings, name), None)


class MemoryStore:
    """One collection as arrays (see `bot.store.base.VectorStore`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._ids: list[str] = []
        self._texts: list[str] = []
        self._metadatas: list[Metadata] = []
        self._vectors: list[np.ndarray] = []
        self._positions: dict[str, int] = {}

    @classmethod
    def copy_of(cls, store: VectorStore, name: str) -> MemoryStore:
        """Every record of another store, in memory (not registered under a name)."""
        copy = cls(name)
        records = list(store.records(with_vectors=True))
        vectors = [r.vector for r in records if r.vector is not None]
        if len(vectors) != len(records):
            raise StoreError(f"{name}: records without vectors")
        copy.add(
            [r.id for r in records],
            vectors,
            [r.text for r in records],
            [r.metadata for r in records],
        )
        return copy

    def add(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        if not len(ids) == len(vectors) == len(texts) == len(metadatas):
            raise ValueError("ids, vectors, texts and metadatas differ in length")
        with self._lock:
            duplicate = [i for i in ids if i in self._positions]
            if duplicate or len(set(ids)) != len(ids):
                raise ValueError(f"ids already stored: {duplicate[:3]}")
            for cid, vector, text, meta in zip(ids, vectors, texts, metadatas, strict=True):
                self._positions[cid] = len(self._ids)
                self._ids.append(cid)
                self._texts.append(text)
                self._metadatas.append(dict(meta))
                self._vectors.append(np.asarray(vector, dtype=np.float32))

    def query(
        self,
        vector: Sequence[float] | np.ndarray,
        k: int,
        where: Where | None = None,
        with_text: bool = True,
        with_vectors: bool = False,
    ) -> list[Match]:
        with self._lock:
            positions = [p for p, meta in enumerate(self._metadatas) if matches_where(meta, where)]
            if not positions or k <= 0:
                return []
            matrix = np.vstack([self._vectors[p] for p in positions])
        query = np.asarray(vector, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1) * (float(np.linalg.norm(query)) or 1.0)
        norms[norms == 0] = 1.0
        # einsum, not BLAS: see bot.answering.retrieval.similarities
        similarities = np.einsum("ij,j->i", matrix, query) / norms
        order = np.argsort(-similarities, kind="stable")[:k]
        return [
            Match(
                id=self._ids[positions[i]],
                similarity=float(similarities[i]),
                text=self._texts[positions[i]] if with_text else None,
                metadata=dict(self._metadatas[positions[i]]) if with_text else None,
                vector=matrix[i].copy() if with_vectors else None,
            )
            for i in order
        ]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            return {
                i: self._vectors[self._positions[i]].copy() for i in ids if i in self._positions
            }

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        with_vectors: bool = False,
    ) -> list[Record]:
        require_selection(ids, where)
        with self._lock:
            positions = (
                range(len(self._ids))
                if ids is None
                else [self._positions[i] for i in ids if i in self._positions]
            )
            return [
                self._record(p, with_vectors)
                for p in positions
                if matches_where(self._metadatas[p], where)
            ]

    def records(self, with_vectors: bool = False) -> Iterator[Record]:
        with self._lock:
            found = [self._record(p, with_vectors) for p in range(len(self._ids))]
        return iter(found)

    def count(self) -> int:
        with self._lock:
            return len(self._ids)

    def drop(self) -> None:
        with _LOCK:
            for key, store in list(_REGISTRY.items()):
                if store is self:
                    del _REGISTRY[key]
        with self._lock:
            self._ids, self._texts, self._metadatas, self._vectors = [], [], [], []
            self._positions = {}

    def _record(self, position: int, with_vectors: bool) -> Record:
        return Record(
            id=self._ids[position],
            text=self._texts[position],
            metadata=dict(self._metadatas[position]),
            vector=self._vectors[position].copy() if with_vectors else None,
        )
