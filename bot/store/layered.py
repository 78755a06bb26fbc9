"""Several stores read as one: an index generation that shares the collections of older ones.

An update writes only the changed documents into the new generation's own collections;
the unchanged ones stay in the collections of the generations that wrote them (the
layers). Each layer serves a set of keys (chunk ids); its other records are stale, i.e.
replaced or removed since that layer was written, and are never returned. A record's key
is its id, or for answer units the chunk id before the `:<position>` of the unit's id.

A query asks each layer for a few more than `k` records and, when stale ones push the
served ones out, asks again for `k` plus the layer's number of stale records, which always
leaves `k` served ones if the layer has them. Stale records are few (the generation is
compacted when they grow, see `bot.indexing.build`), so the second query is rare.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bot.store.base import Match, Metadata, Record, Vectors, VectorStore, Where, require_selection

Key = Callable[[str], str]


def record_id(record_id: str) -> str:
    return record_id


def unit_chunk(unit_id: str) -> str:
    """The chunk a unit belongs to: unit ids are `<chunk id>:<position>`."""
    return unit_id.rsplit(":", 1)[0]


@dataclass(frozen=True)
class Layer:
    """One store and the keys it serves; `stale` counts its records that it does not, or
    bounds them; None: counted when first queried (counting an embedded Chroma collection
    loads its vector index: about 400 MB for 200 k answer units that are never queried)."""

    store: VectorStore
    serves: Collection[str]
    stale: int | None


class LayeredStore:
    """Read-only `VectorStore` over layers whose served keys do not overlap."""

    def __init__(self, layers: Sequence[Layer], key: Key = record_id) -> None:
        self.layers = list(layers)
        self._key = key

    def _served_many(self, layer: Layer, records: Sequence[str]) -> list[bool]:
        """`_served` for several records; one vectorised look-up where the layer's served
        keys offer it (`contains_many`: ids found on disk instead of a set in memory)."""
        many = getattr(layer.serves, "contains_many", None)
        keys = [self._key(r) for r in records]
        if many is not None:
            found: list[bool] = many(keys)
            return found
        return [k in layer.serves for k in keys]

    def add(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> None:
        raise TypeError("a layered generation is read-only: an index run writes new layers")

    def query(
        self,
        vector: Sequence[float] | np.ndarray,
        k: int,
        where: Where | None = None,
        with_text: bool = True,
        with_vectors: bool = False,
    ) -> list[Match]:
        found: dict[str, Match] = {}
        for layer in self.layers:
            for match in self._query_layer(layer, vector, k, where, with_text, with_vectors):
                found.setdefault(match.id, match)
        return sorted(found.values(), key=lambda m: m.similarity, reverse=True)[:k]

    def _query_layer(
        self,
        layer: Layer,
        vector: Sequence[float] | np.ndarray,
        k: int,
        where: Where | None,
        with_text: bool,
        with_vectors: bool = False,
    ) -> list[Match]:
        if k <= 0 or not layer.serves:
            return []
        # an upper bound of the stale records is all the second query needs
        stale = layer.store.count() if layer.stale is None else layer.stale
        available = len(layer.serves) + stale
        asked = min(available, k + min(stale, k))
        while True:
            got = layer.store.query(vector, asked, where, with_text, with_vectors)
            keep = self._served_many(layer, [m.id for m in got])
            served = [m for m, kept in zip(got, keep, strict=True) if kept]
            if len(served) >= k or len(got) < asked or asked >= min(available, k + stale):
                return served
            asked = min(available, k + stale)

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for layer in self.layers:
            missing = [i for i in ids if i not in out]
            keep = self._served_many(layer, missing)
            wanted = [i for i, kept in zip(missing, keep, strict=True) if kept]
            if wanted:
                out.update(layer.store.vectors(wanted))
        return out

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        with_vectors: bool = False,
    ) -> list[Record]:
        require_selection(ids, where)
        out: list[Record] = []
        for layer in self.layers:
            wanted = None
            if ids is not None:
                keep = self._served_many(layer, ids)
                wanted = [i for i, kept in zip(ids, keep, strict=True) if kept]
                if not wanted:
                    continue
            got = layer.store.get(wanted, where, with_vectors)
            keep = self._served_many(layer, [r.id for r in got])
            out.extend(r for r, kept in zip(got, keep, strict=True) if kept)
        return out

    def records(self, with_vectors: bool = False) -> Iterator[Record]:
        for layer in self.layers:
            page: list[Record] = []
            for record in layer.store.records(with_vectors):
                page.append(record)
                if len(page) >= 1000:
                    yield from self._served_records(layer, page)
                    page = []
            yield from self._served_records(layer, page)

    def _served_records(self, layer: Layer, records: list[Record]) -> list[Record]:
        keep = self._served_many(layer, [r.id for r in records])
        return [r for r, kept in zip(records, keep, strict=True) if kept]

    def count(self) -> int:
        return sum(1 for _ in self.records())

    def drop(self) -> None:
        raise TypeError("the layers belong to the generations that wrote them")
