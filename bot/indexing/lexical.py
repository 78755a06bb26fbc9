"""German BM25 stored with each index generation and read memory-mapped.

Building BM25 at every start or index switch read every chunk's text into the serving
process (6 s and 480 MB at 20 k chunks, growing with the corpus). Instead the indexer
writes, per generation, `lexical/` beside the manifest:

    lexical.json         format, tokenizer, number of chunks and of BM25 documents
    chunks.npy           the ids of the generation's own chunks, in store order
    sorted.npy           the same ids sorted, order.npy their positions in chunks.npy:
                         finding a chunk by its id (binary search) without a set in memory
    docs.npy             positions (into chunks.npy) of the chunks BM25 indexes
    terms.npy            the vocabulary, sorted; term_ids.npy its bm25s token ids
    data/indices/indptr  bm25s's precomputed score matrix (`bm25s.BM25.save`)

Everything is read with `numpy.load(mmap_mode="r")`, so the serving process holds only the
pages a question touches; a term's postings (the large part) are read with `os.pread`
instead, so they pass through the shared page cache and do not stay in the process.
bm25s keeps its vocabulary as a JSON dict that `BM25.load` reads whole (`load_vocab=True`);
the sorted `terms.npy` looked up by binary search replaces it.

BM25 indexes the originals (chunks without `translation_of`): translations would add
foreign words and shift the statistics (see `bot.answering.retrieval`).

A layered generation (`bot.store.layered`) scores the BM25 of each layer; a layer's stale
chunks (replaced or removed since) are masked out, and each term's weight is rescaled from
the layer's IDF to the IDF over all served chunks, so that a small update layer is not
ranked by the statistics of its few chunks. The document-length normalisation stays each
layer's own (its average length).
"""

from __future__ import annotations

import bisect
import json
import math
import os
import shutil
import weakref
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from bot.ingest.chunking import SECTION_SEPARATOR
from bot.store.base import Metadata, Record

LEXICAL_DIR = "lexical"
LEXICAL_FORMAT = 1
TOKENIZER = "bm25s:stopwords=de,stemmer=snowball-german,lower"
_INFO = "lexical.json"


def lexical_text(text: str, meta: Metadata) -> str:
    """What BM25 reads of a chunk: its title and headings, then its text."""
    head = " ".join(p for p in (meta.get("title", ""), meta.get("section", "")) if p)
    return f"{head.replace(SECTION_SEPARATOR, ' ')}\n{text}"


def is_lexical(meta: Metadata) -> bool:
    """Whether BM25 indexes the chunk: originals only (see the module docstring)."""
    return not meta.get("translation_of")


class Tokenizer:
    """bm25s's tokenizer with German stopwords and Snowball German stemming."""

    def __init__(self) -> None:
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("german")

    def corpus(self, texts: list[str]) -> Any:
        """Token ids and vocabulary of texts (a `bm25s.tokenization.Tokenized`)."""
        return self._bm25s.tokenize(
            texts, stopwords="de", stemmer=self.stemmer, show_progress=False, lower=True
        )

    def stems(self, text: str) -> list[str]:
        tokens = self._bm25s.tokenize(
            [text], stopwords="de", stemmer=self.stemmer, show_progress=False, return_ids=False
        )
        return list(tokens[0]) if tokens else []


def write_lexical(folder: Path, records: Iterable[Record]) -> list[str]:
    """Write `folder/lexical/` for a generation's own chunks (all of them, in store order);
    returns their ids in that order (the manifest's chunk ranges point into it)."""
    import bm25s

    ids: list[str] = []
    docs: list[int] = []
    texts: list[str] = []
    for position, record in enumerate(records):
        ids.append(record.id)
        if is_lexical(record.metadata):
            docs.append(position)
            texts.append(lexical_text(record.text, record.metadata))
    target = folder / LEXICAL_DIR
    tmp = folder / f".{LEXICAL_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    vocab: dict[str, int] = {}
    if texts:
        tokens = Tokenizer().corpus(texts)
        vocab = dict(tokens.vocab)  # bm25s adds an empty token to its own copy
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        model.save(tmp, show_progress=False)
    terms = sorted(vocab)
    stored = np.array(ids, dtype=str)
    np.save(tmp / "chunks.npy", stored)
    order = np.argsort(stored, kind="stable").astype(np.int64)
    np.save(tmp / "sorted.npy", stored[order])
    np.save(tmp / "order.npy", order)
    np.save(tmp / "docs.npy", np.array(docs, dtype=np.int64))
    np.save(tmp / "terms.npy", np.array(terms, dtype=str))
    np.save(tmp / "term_ids.npy", np.array([vocab[t] for t in terms], dtype=np.int64))
    info = {"format": LEXICAL_FORMAT, "tokenizer": TOKENIZER, "chunks": len(ids), "docs": len(docs)}
    (tmp / _INFO).write_text(json.dumps(info), encoding="utf-8")
    os.replace(tmp, target)
    return ids


def has_lexical(folder: Path) -> bool:
    """Whether a generation stored its BM25 (generations of older versions did not)."""
    try:
        info = json.loads((folder / LEXICAL_DIR / _INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(info.get("format") == LEXICAL_FORMAT and info.get("tokenizer") == TOKENIZER)


def stored_chunk_ids(folder: Path) -> np.ndarray:
    """The ids of a generation's own chunks in store order (memory-mapped)."""
    ids: np.ndarray = np.load(folder / LEXICAL_DIR / "chunks.npy", mmap_mode="r")
    return ids


def _idf(n: int, df: int) -> float:
    """bm25s's "lucene" IDF, the one its default BM25 bakes into the stored scores."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class _Postings:
    """One of bm25s's stored postings arrays (scores or document numbers), read a term's
    slice at a time with `os.pread`. The slice passes through the page cache, which every
    process shares and the system can drop, instead of staying mapped into the serving
    process: with slices of a memory map, every page a question had touched counted in the
    process's resident memory, which so grew with the corpus (0.8 KB per chunk)."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array
        self._fd: int | None = None
        filename = getattr(array, "filename", None)
        if isinstance(array, np.memmap) and filename and hasattr(os, "pread"):
            self._fd = os.open(filename, os.O_RDONLY)
            self._offset = int(array.offset)
            weakref.finalize(self, os.close, self._fd)

    def __getitem__(self, item: slice) -> np.ndarray:
        if self._fd is None:
            return self._array[item]
        start, end, _ = item.indices(len(self._array))
        size = self._array.dtype.itemsize
        data = os.pread(self._fd, max(0, end - start) * size, self._offset + start * size)
        return np.frombuffer(data, dtype=self._array.dtype)

    def __len__(self) -> int:
        return len(self._array)


@dataclass
class _Layer:
    """One generation's stored BM25 and which of its documents are served."""

    chunks: np.ndarray  # the generation's chunk ids (store order)
    doc_chunks: np.ndarray  # the chunk (position in `chunks`) of each BM25 document
    terms: np.ndarray
    term_ids: np.ndarray
    data: _Postings
    indices: _Postings
    indptr: np.ndarray
    docs: int
    served: np.ndarray | None  # mask over documents; None: all served
    offset: int = 0  # first position of this layer in the combined scores

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents, stored scores) of a term in this layer (nothing when unknown)."""
        at = int(np.searchsorted(self.terms, term))
        if at >= len(self.terms) or self.terms[at] != term:
            return _EMPTY_INT, _EMPTY_FLOAT
        token = int(self.term_ids[at])
        start, end = int(self.indptr[token]), int(self.indptr[token + 1])
        return self.indices[start:end], self.data[start:end]


_EMPTY_INT = np.zeros(0, dtype=np.int64)
_EMPTY_FLOAT = np.zeros(0, dtype=np.float32)


def served_mask(folder: Path, served: Collection[str]) -> np.ndarray | None:
    """Which of a generation's own chunks (store order) are in `served`; None: all are.
    (For manifests that list chunk ids; a chunk range marks its part of the mask itself.)"""
    chunks = stored_chunk_ids(folder)
    mask = np.zeros(len(chunks), dtype=bool)
    for start in range(0, len(chunks), 10_000):  # in pages: no copy of all ids at once
        page = chunks[start : start + 10_000].tolist()
        mask[start : start + len(page)] = [cid in served for cid in page]
    return None if mask.all() else mask


def _runs(size: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(first store position, served positions before it) of each run of served chunks:
    a handful of runs (one per stale stretch) instead of one position per served chunk."""
    if mask is None:
        return np.zeros(1 if size else 0, dtype=np.int64), np.zeros(1 if size else 0, np.int64)
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = (ends - starts).astype(np.int64)
    return starts.astype(np.int64), np.cumsum(lengths) - lengths


class ServedIds(Collection[str]):
    """The chunk ids one layer serves for a generation, by its stored ids (memory-mapped,
    found by binary search in their sorted copy) and the served mask: no set of ids in
    memory (a set of 200 k ids held about 15 MB, one per layer and per collection)."""

    def __init__(self, folder: Path, mask: np.ndarray | None) -> None:
        self._chunks = stored_chunk_ids(folder)
        self._sorted, self._order = _sorted_ids(folder, self._chunks)
        self._mask = mask
        self._size = len(self._chunks) if mask is None else int(mask.sum())

    def position(self, cid: str) -> int | None:
        """The chunk's position in the layer's store order; None when it has no such id."""
        at = bisect.bisect_left(self._sorted, cid)
        if at < len(self._sorted) and self._sorted[at] == cid:
            return int(self._order[at])
        return None

    def __contains__(self, cid: object) -> bool:
        if not isinstance(cid, str):
            return False
        position = self.position(cid)
        return position is not None and (self._mask is None or bool(self._mask[position]))

    def contains_many(self, ids: Sequence[str]) -> list[bool]:
        """`cid in self` for each of `ids`, in one vectorised search."""
        if not ids or not len(self._sorted):
            return [False] * len(ids)
        wanted = np.array(ids, dtype=str)
        at = np.minimum(np.searchsorted(self._sorted, wanted), len(self._sorted) - 1)
        found = self._sorted[at] == wanted
        if self._mask is not None:
            found &= self._mask[self._order[at]]
        return [bool(x) for x in found]

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self._chunks), 10_000):
            page = self._chunks[start : start + 10_000].tolist()
            if self._mask is None:
                yield from page
            else:
                keep = self._mask[start : start + len(page)]
                yield from (cid for cid, served in zip(page, keep, strict=True) if served)


def _sorted_ids(folder: Path, chunks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored sorted ids and their store positions; made in memory for a generation
    written before they were stored (as a set of its ids was before)."""
    base = folder / LEXICAL_DIR
    try:
        return (
            np.load(base / "sorted.npy", mmap_mode="r"),
            np.load(base / "order.npy", mmap_mode="r"),
        )
    except FileNotFoundError:
        order = np.argsort(np.asarray(chunks), kind="stable")
        return np.asarray(chunks)[order], order


class ChunkIds(Sequence[str]):
    """The served chunk ids in store order, layer after layer, read from the generations'
    stored id lists (memory-mapped): as a list, two million ids held about 160 MB. Each
    layer keeps only the runs of served chunks, not a position per chunk."""

    def __init__(self, layers: Sequence[tuple[Path, np.ndarray | None]]) -> None:
        """`layers`: (generation folder, `served_mask` of its chunks), oldest first."""
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        self._starts: list[int] = []
        total = 0
        for folder, mask in layers:
            chunks = stored_chunk_ids(folder)
            runs, before = _runs(len(chunks), mask)
            served = len(chunks) if mask is None else int(mask.sum())
            self._parts.append((chunks, runs, before, served))
            self._starts.append(total)
            total += served
        self._length = total

    def __len__(self) -> int:
        return self._length

    def positions(self, layer: int, stored: np.ndarray) -> np.ndarray:
        """The positions in this sequence of served chunks given by their layer (its place
        in `layers`) and their positions in that layer's store order."""
        _, runs, before, _ = self._parts[layer]
        run = np.searchsorted(runs, stored, side="right") - 1
        found: np.ndarray = self._starts[layer] + before[run] + stored - runs[run]
        return found

    @overload
    def __getitem__(self, item: int) -> str: ...

    @overload
    def __getitem__(self, item: slice) -> list[str]: ...

    def __getitem__(self, item: int | slice) -> str | list[str]:
        if isinstance(item, slice):
            return [self[i] for i in range(*item.indices(self._length))]
        if item < 0:
            item += self._length
        if not 0 <= item < self._length:
            raise IndexError(item)
        part = bisect.bisect_right(self._starts, item) - 1
        chunks, runs, before, _ = self._parts[part]
        at = item - self._starts[part]
        run = int(np.searchsorted(before, at, side="right")) - 1
        return str(chunks[int(runs[run]) + at - int(before[run])])

    def __iter__(self) -> Iterator[str]:
        for chunks, runs, before, served in self._parts:
            if not len(runs):
                continue
            ends = np.append(before[1:], served) - before + runs
            for first, end in zip(runs.tolist(), ends.tolist(), strict=True):
                for start in range(first, end, 10_000):
                    yield from chunks[start : min(start + 10_000, end)].tolist()


def _open_layer(folder: Path, chunk_mask: np.ndarray | None) -> _Layer:
    base = folder / LEXICAL_DIR
    info = json.loads((base / _INFO).read_text(encoding="utf-8"))
    if int(info["docs"]):
        import bm25s

        model = bm25s.BM25.load(base, mmap=True, load_vocab=False)
        data, indices, indptr = (model.scores[k] for k in ("data", "indices", "indptr"))
    else:
        data, indices, indptr = _EMPTY_FLOAT, _EMPTY_INT, np.zeros(1, dtype=np.int64)
    docs = np.load(base / "docs.npy", mmap_mode="r")
    mask = None if chunk_mask is None or not len(docs) else chunk_mask[docs]
    return _Layer(
        chunks=stored_chunk_ids(folder),
        doc_chunks=docs,
        terms=np.load(base / "terms.npy", mmap_mode="r"),
        term_ids=np.load(base / "term_ids.npy", mmap_mode="r"),
        data=_Postings(data),
        indices=_Postings(indices),
        indptr=indptr,
        docs=int(info["docs"]),
        served=None if mask is None or mask.all() else mask,
    )


class StoredBM25:
    """The BM25 of a generation, over the stored BM25 of its layers (one for most)."""

    def __init__(self, layers: Sequence[tuple[Path, np.ndarray | None]]) -> None:
        """`layers`: (generation folder, `served_mask` of its chunks), oldest first."""
        self._layers = [_open_layer(folder, mask) for folder, mask in layers]
        offset = 0
        for layer in self._layers:
            layer.offset = offset
            offset += layer.docs
        self.size = offset
        self.served_docs = sum(
            layer.docs if layer.served is None else int(layer.served.sum())
            for layer in self._layers
        )
        self._exact = len(self._layers) == 1 and self._layers[0].served is None
        self._known: dict[str, bool] = {}
        self._terms: set[str] | None = None

    def __contains__(self, term: object) -> bool:
        """Whether a served chunk uses the term (the vocabulary)."""
        if not isinstance(term, str):
            return False
        known = self._known.get(term)
        if known is None:
            known = any(self._served_postings(layer, term)[0].size for layer in self._layers)
            if len(self._known) < 100_000:
                self._known[term] = known
        return known

    @staticmethod
    def _served_postings(layer: _Layer, term: str) -> tuple[np.ndarray, np.ndarray]:
        docs, scores = layer.postings(term)
        if layer.served is not None and docs.size:
            keep = layer.served[docs]
            return docs[keep], scores[keep]
        return docs, scores

    def terms(self) -> set[str]:
        """The whole vocabulary (of all layers, stale chunks' words included), as a set."""
        if self._terms is None:
            self._terms = {str(t) for layer in self._layers for t in layer.terms.tolist()}
        return self._terms

    def id_at(self, position: int) -> str:
        for layer in reversed(self._layers):
            if position >= layer.offset:
                return str(layer.chunks[layer.doc_chunks[position - layer.offset]])
        raise IndexError(position)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 of every document (in layer order; stale ones score 0) for the query terms
        (repeated terms count again, as in bm25s)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in terms:
            if self._exact:  # one layer, nothing stale: bm25s's own sum
                layer = self._layers[0]
                docs, values = layer.postings(term)
                np.add.at(scores, docs, values)
                continue
            found = [(layer, *self._served_postings(layer, term)) for layer in self._layers]
            df = sum(docs.size for _, docs, _ in found)
            if not df:
                continue
            idf = _idf(self.served_docs, df)
            for layer, docs, values in found:
                if not docs.size:
                    continue
                own = _idf(layer.docs, len(layer.postings(term)[0]))
                scaled = values * np.float32(idf / own)
                np.add.at(scores, docs + layer.offset, scaled)
        return scores
