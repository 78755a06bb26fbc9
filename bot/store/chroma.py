"""The Chroma vector store: embedded (files in the generation's `chroma/` folder) or a
Chroma server (`BOT_CHROMA_URL`). The only module that talks to chromadb.

Collections are made with `hnsw:space: cosine`, so Chroma's distance is `1 - cosine`
(and a wide search, `SEARCH_EF`);
`query` turns it back into the similarity the rest of the bot works with.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from bot.config import Settings
from bot.store.base import Match, Metadata, Record, StoreError, Vectors, Where, require_selection

ADD_BATCH = 1000  # records per add(): below Chroma's largest batch
PAGE = 10000  # records per get(): below SQLite's 32,766 variables per statement


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _client(settings: Settings, generation: str) -> Any:
    import chromadb

    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=_chroma_settings(),
        )
    return chromadb.PersistentClient(
        path=str(settings.index_dir / generation / "chroma"), settings=_chroma_settings()
    )


# How many neighbours HNSW explores per query (Chroma's default is 100). The graph is
# approximate: with 100, the same Farsi question found a passage in 8 of 10 processes and
# missed it in 2, which flipped its answer into a refusal; with 400 it was found 10 of
# 10 times. Set when a collection is made (a generation built before keeps its value).
SEARCH_EF = 400


def open_chroma(settings: Settings, generation: str, name: str, create: bool) -> ChromaStore:
    """The collection `name` of a generation; `create` makes it when it does not exist."""
    client = _client(settings, generation)
    if create:
        collection = client.get_or_create_collection(
            name,
            metadata={"hnsw:space": "cosine", "hnsw:search_ef": SEARCH_EF},
            embedding_function=None,
        )
        return ChromaStore(client, collection)
    try:
        collection = client.get_collection(name, embedding_function=None)
    except Exception as exc:
        raise StoreError(f"Chroma collection {name!r} cannot be opened: {exc}") from exc
    return ChromaStore(client, collection)


def drop_generation(settings: Settings, generation: str, names: Sequence[str]) -> None:
    """On a server the collections outlive the generation's folder: delete them. Embedded,
    they are files in that folder, which the caller removes."""
    if not settings.chroma_url:
        return
    for name in names:
        try:
            _client(settings, generation).delete_collection(name)
        except Exception:  # already gone, or the server is down: nothing left to do here
            continue


def _where(where: Where | None) -> dict[str, Any] | None:
    if not where:
        return None
    parts = [{key: {"$in": list(values)}} for key, values in where.items()]
    return parts[0] if len(parts) == 1 else {"$and": parts}


class ChromaStore:
    """One Chroma collection (see `bot.store.base.VectorStore`)."""

    def __init__(self, client: Any, collection: Any) -> None:
        self._client = client
        self._collection = collection

    def add(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        for start in range(0, len(ids), ADD_BATCH):
            end = start + ADD_BATCH
            self._collection.add(
                ids=list(ids[start:end]),
                embeddings=vectors[start:end],
                documents=list(texts[start:end]),
                metadatas=list(metadatas[start:end]),
            )

    def query(
        self,
        vector: Sequence[float] | np.ndarray,
        k: int,
        where: Where | None = None,
        with_text: bool = True,
        with_vectors: bool = False,
    ) -> list[Match]:
        include = ["distances"] + (["documents", "metadatas"] if with_text else [])
        got = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
            n_results=k,
            where=_where(where),
            include=include + (["embeddings"] if with_vectors else []),
        )
        ids, distances = got["ids"][0], got["distances"][0]
        texts = got["documents"][0] if with_text else [None] * len(ids)
        metas = got["metadatas"][0] if with_text else [None] * len(ids)
        vectors = got["embeddings"][0] if with_vectors else [None] * len(ids)
        # cosine distance (hnsw:space cosine, set in open_chroma) is 1 - cosine similarity
        return [
            Match(
                cid,
                1.0 - float(distance),
                text,
                None if meta is None else dict(meta),
                None if stored is None else np.asarray(stored, dtype=np.float32),
            )
            for cid, distance, text, meta, stored in zip(
                ids, distances, texts, metas, vectors, strict=True
            )
        ]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), PAGE):
            got = self._collection.get(ids=list(ids[start : start + PAGE]), include=["embeddings"])
            for cid, vector in zip(got["ids"], got["embeddings"], strict=True):
                out[cid] = np.asarray(vector, dtype=np.float32)
        return out

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        with_vectors: bool = False,
    ) -> list[Record]:
        require_selection(ids, where)
        if ids is None:
            return list(self._pages(where, with_vectors))
        out: list[Record] = []
        for start in range(0, len(ids), PAGE):
            got = self._collection.get(
                ids=list(ids[start : start + PAGE]),
                where=_where(where),
                include=self._include(with_vectors),
            )
            out.extend(self._records(got, with_vectors))
        return out

    def records(self, with_vectors: bool = False) -> Iterator[Record]:
        return self._pages(None, with_vectors)

    def count(self) -> int:
        return int(self._collection.count())

    def drop(self) -> None:
        self._client.delete_collection(self._collection.name)

    def _pages(self, where: Where | None, with_vectors: bool) -> Iterator[Record]:
        """chromadb 1.5.9 refuses an unbounded get() with metadata above 32,766 records
        ("too many SQL variables"), so a large store is read in pages."""
        offset = 0
        while True:
            got = self._collection.get(
                where=_where(where),
                include=self._include(with_vectors),
                limit=PAGE,
                offset=offset,
            )
            yield from self._records(got, with_vectors)
            offset += len(got["ids"])
            if len(got["ids"]) < PAGE:
                return

    @staticmethod
    def _include(with_vectors: bool) -> list[str]:
        return (
            ["documents", "metadatas", "embeddings"] if with_vectors else ["documents", "metadatas"]
        )

    @staticmethod
    def _records(got: dict[str, Any], with_vectors: bool) -> list[Record]:
        vectors = got["embeddings"] if with_vectors else [None] * len(got["ids"])
        return [
            Record(
                id=cid,
                text=text,
                metadata=dict(meta),
                vector=None if vector is None else np.asarray(vector, dtype=np.float32),
            )
            for cid, text, meta, vector in zip(
                got["ids"], got["documents"], got["metadatas"], vectors, strict=True
            )
        ]
