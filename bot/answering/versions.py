"""Documents in several versions: an original and its translations (front matter `lang`,
`translation_of`), and which version answers a citizen.

    ranked passages of the originals (translations take no part, so German questions and
    every question's choice of document stay as they were) -> each passage moves to the
    matching passage of the version in the asker's language, when there is one -> the
    answer quotes that version and cites it and the original

Why rank by the original: the embedder ranks any passage in the question's language above
German ones, so letting translations compete put an Arabic page on naturalisation before
the German page on work permits for an Arabic question about work (measured on the test
split: non-German recall@1 0.917 -> 0.500). The other mode (FusionWeights.versions =
"asker") is kept for comparison; it finds translated topics better (translation set
recall@1 0.976 instead of 0.786).

The matching passage of another version: among that version's chunks in the section at the
same position (all its chunks when the two versions' sections do not line up), the one most
similar to the passage and to the question by the embedder (multilingual e5).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.i18n import DEFAULT_LANGUAGE, base_language
from bot.ingest.documents import is_outdated, resolve_original


@dataclass
class Version:
    """One document of the index and where its chunks are."""

    source: str
    lang: str  # BCP 47, "de" when the document names none
    updated: str | None
    original: str  # the family's original (the document itself for an original)
    # its chunks in index order and their section numbers (documents in several versions)
    positions: list[int] = field(default_factory=list)
    parts: list[int] = field(default_factory=list)


def asker_language(detected: str, page_language: str | None) -> str:
    """The language whose version answers: the page's variant when the question is in its
    base language (Leichte Sprache is German to the detector), else the detected one."""
    if page_language and page_language != detected and base_language(page_language) == detected:
        return page_language
    return detected


class Versions:
    """The document families of one index generation (built once per generation)."""

    def __init__(
        self,
        ids: Sequence[str],
        metadatas: Sequence[dict[str, Any]] = (),
        vectors: Callable[[list[str]], np.ndarray] | None = None,
        parts: Callable[[list[str]], list[int]] | None = None,
        spans: Iterable[tuple[int, int, dict[str, Any]]] | None = None,
    ) -> None:
        """`metadatas`: per chunk at least its file's source, lang, updated and
        translation_of; the section number (`part`) too, unless `parts` reads it for the
        chunks of documents in several versions (the only ones that need it). Or `spans`:
        (first position, number of chunks, metadata) per file in position order, which
        spares a large generation a list with one entry per chunk."""
        self.ids = ids
        if spans is None:
            spans = [(position, 1, meta) for position, meta in enumerate(metadatas)]
        runs = list(spans)
        self._starts = np.asarray([start for start, _, _ in runs], dtype=np.int64)
        self._sources = [str(meta.get("source", "")) for _, _, meta in runs]
        self._vectors = vectors
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        docs: dict[str, Version] = {}
        declared: dict[str, str] = {}
        for _, _, meta in runs:
            source = str(meta.get("source", ""))
            if source not in docs:
                lang = str(meta.get("lang") or DEFAULT_LANGUAGE)
                docs[source] = Version(source, lang, meta.get("updated"), source)
                if meta.get("translation_of"):
                    declared[source] = str(meta["translation_of"])
        originals = [s for s in docs if s not in declared]
        self.families: dict[str, dict[str, str]] = {}  # original -> lang -> source
        for source, name in declared.items():
            original = resolve_original(name, source, originals)
            if original is None:
                continue  # a translation of a file the index does not hold: on its own
            docs[source].original = original
            family = self.families.setdefault(original, {docs[original].lang: original})
            family.setdefault(docs[source].lang, source)
        self.docs = docs
        # where their chunks are: only documents in several versions need it (matching
        # passages), so a corpus without translations keeps no per-chunk lists
        members = {source for family in self.families.values() for source in family.values()}
        if members:
            for start, count, meta in runs:
                source = str(meta.get("source", ""))
                if source in members:
                    docs[source].positions.extend(range(start, start + count))
                    docs[source].parts.extend([int(meta.get("part", 0) or 0)] * count)
        if parts is not None:
            for source in members:
                doc = docs[source]
                doc.parts = parts([self.ids[p] for p in doc.positions])

    def member_positions(self) -> list[int]:
        """Positions of the chunks of documents in several versions (the only ones whose
        ranking or version can change)."""
        return [
            p
            for family in self.families.values()
            for s in family.values()
            for p in self.docs[s].positions
        ]

    @property
    def any(self) -> bool:
        return bool(self.families)

    def doc_of(self, position: int) -> Version:
        at = int(np.searchsorted(self._starts, position, side="right")) - 1
        return self.docs[self._sources[at]]

    def family(self, source: str) -> dict[str, str]:
        """lang -> source of every version of the document's family ({} without versions)."""
        doc = self.docs.get(source)
        return self.families.get(doc.original, {}) if doc else {}

    def version_for(self, source: str, language: str) -> str:
        """The family's version that answers an asker of `language`: the exact language,
        else its base ("de" for "de-x-ls"), else a regional form ("en-gb" for "en"), else
        the original."""
        family = self.family(source)
        if not family:
            return source
        base = base_language(language)
        for wanted in (language, base):
            if wanted in family:
                return family[wanted]
        same_base = sorted(lang for lang in family if base_language(lang) == base)
        if same_base:
            return family[same_base[0]]
        return self.docs[source].original

    def has_version(self, source: str, language: str) -> bool:
        """Whether the document exists in `language`; a plain language ("en") is also
        served by a regional form ("en-gb"), a variant ("de-x-ls") only by itself."""
        doc = self.docs.get(source)
        if doc is None:
            return True
        langs = set(self.family(source)) or {doc.lang}
        if language in langs:
            return True
        return language == base_language(language) and language in {base_language(x) for x in langs}

    def keeps(self, position: int, language: str) -> bool:
        """Whether a chunk takes part in the ranking for an asker of `language`: every
        chunk of an untranslated document, of a family only the asker's version."""
        doc = self.doc_of(position)
        if doc.original not in self.families:
            return True
        return self.version_for(doc.source, language) == doc.source

    def outdated(self, source: str) -> str | None:
        """The original's date when this translation is older than its original."""
        doc = self.docs.get(source)
        if doc is None or doc.original == source:
            return None
        original = self.docs[doc.original]
        return original.updated if is_outdated(doc.updated, original.updated) else None

    # --- matching passages ----------------------------------------------------------------

    def _doc_vectors(self, source: str) -> np.ndarray:
        with self._lock:
            cached = self._cache.get(source)
        if cached is not None:
            return cached
        doc = self.docs[source]
        if self._vectors is None:
            return np.zeros((len(doc.positions), 0), dtype=np.float32)
        vectors = np.asarray(self._vectors([self.ids[p] for p in doc.positions]), np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        normed: np.ndarray = vectors / norms
        with self._lock:
            self._cache[source] = normed
        return normed

    def matching(self, position: int, target: str, query: np.ndarray | None = None) -> int:
        """The position of the chunk of `target` (another version of the same document)
        that corresponds to the chunk at `position`."""
        doc = self.doc_of(position)
        other = self.docs[target]
        index = doc.positions.index(position)
        candidates = list(range(len(other.positions)))
        if max(doc.parts) == max(other.parts):  # as many sections: the same one
            same = [i for i in candidates if other.parts[i] == doc.parts[index]]
            candidates = same or candidates
        if len(candidates) == 1:
            return other.positions[candidates[0]]
        mine = self._doc_vectors(doc.source)
        theirs = self._doc_vectors(target)
        if not theirs.shape[1]:  # no vectors: the chunk at the same relative place
            share = index / max(len(doc.positions), 1)
            return other.positions[candidates[int(share * len(candidates))]]
        rows = theirs[candidates]
        score = np.einsum("ij,j->i", rows, mine[index])
        if query is not None and len(query) == rows.shape[1]:
            q = np.asarray(query, np.float32)
            score = score + np.einsum("ij,j->i", rows, q / (float(np.linalg.norm(q)) or 1.0))
        return other.positions[candidates[int(np.argmax(score))]]

    def vector(self, position: int) -> np.ndarray | None:
        """The chunk's normalised vector (None without a vector source)."""
        doc = self.doc_of(position)
        vectors = self._doc_vectors(doc.source)
        if not vectors.shape[1]:
            return None
        row: np.ndarray = vectors[doc.positions.index(position)]
        return row


def note_missing_version(answer: Any, versions: Versions, asker: str) -> None:
    """Mark an answer quoted from a document that has no version in the asker's language
    (`Answer.untranslated`), for the staff's translation-demand report."""
    if answer.refused or not answer.sources:
        return
    source = answer.sources[0].source
    doc = versions.docs.get(source)
    if doc is None or versions.has_version(source, asker):
        return
    answer.untranslated = (asker, doc.original)
