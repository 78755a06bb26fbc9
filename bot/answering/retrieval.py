"""Hybrid retrieval over the serving index: dense (vector store) + German BM25, language-gated.

Measured on the project's evaluation set (see `python -m bot eval`): equal-weight fusion
of BM25 and e5 hurts questions that are not in German, because BM25 on a German corpus
matches nothing useful in a Turkish or Farsi question. So BM25 only joins the fusion for
German questions, with a weight below the dense retriever's.

The retriever also computes *query-specific* relevance signals for refusal, because raw
cosine values of e5 do not separate off-topic questions (docs/design.md): how far the best
chunk stands out above the query's similarity to the corpus at large plus a fixed set of
everyday background passages (a z-score), and its margin over the best background
passage. An off-topic question is about as close to "weather tomorrow" as to any chunk.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import numpy as np

from bot.answering.glossary import Concept, glossary
from bot.answering.nouns import lowercase_nouns
from bot.answering.versions import Versions
from bot.embeddings import BotEmbeddings
from bot.i18n import base_language
from bot.indexing.background import background_vectors, cached_vectors, data_lines
from bot.indexing.build import FileSpans, LoadedIndex
from bot.indexing.lexical import StoredBM25, Tokenizer, is_lexical, lexical_text
from bot.store.base import Metadata, Record

CALIBRATION_SAMPLE = 2000
HUB_NEIGHBOURS = 10


@dataclass
class Hit:
    id: str
    text: str
    metadata: dict[str, Any]
    score: float  # fused score used for ranking
    dense: float = 0.0  # cosine similarity to the query
    original: Hit | None = None  # for a passage of a translation: the original's matching one


@dataclass
class RetrievalResult:
    hits: list[Hit]
    language: str
    z_score: float  # how far the best chunk stands out from the corpus at large
    top_dense: float
    background_margin: float = 0.0  # best chunk minus best everyday background passage
    unknown_terms: list[str] = field(default_factory=list)  # terms the corpus never uses
    vector: np.ndarray | None = None  # the query's embedding (the composer reuses it)
    background_best: float = 0.0  # similarity of the closest everyday background passage
    asker: str = ""  # the language whose document versions answer ("de-x-ls"); "": language

    @property
    def asker_language(self) -> str:
        return self.asker or self.language


MARGIN_WEIGHT = 8.0  # one z unit ~ 0.125 cosine of margin over everyday text


def relevance(result: RetrievalResult) -> float:
    """One number for "does the corpus answer this": the best chunk's z-score plus its
    weighted margin over the closest everyday background passage. Measured on the
    evaluation set, neither part alone separates off-topic from real questions."""
    return result.z_score + MARGIN_WEIGHT * result.background_margin


@dataclass
class FusionWeights:
    """Weighted reciprocal-rank fusion. Measured on the evaluation set (93 answerable
    questions): dense only r@1 0.871 / r@3 0.957; RRF with BM25 at weight 0.5, k=60:
    0.839 / 0.946; weight 0.2, k=10 (the default): 0.871 / 0.957. BM25 stays as a light
    tie-breaker for German questions (exact terms, numbers, "§ 24"), never for others."""

    dense: float = 1.0
    bm25_german: float = 0.2
    bm25_other: float = 0.0
    rrf_k: int = 10
    # Hub correction of the dense ranking (not of the similarity the refusal reads): a chunk
    # close to the corpus's mean direction or to everyday text ("Was Sie mitbringen
    # sollten", "Brauche ich einen Termin?") is near every question and took first place
    # for unrelated ones. Ranked by cosine - hub_centroid * cos(chunk, centroid) -
    # hub_background * (mean cosine to its 10 closest background passages).
    hub_centroid: float = 0.5  # tuned on the dev split (0.2-0.5 equal on recall@1)
    hub_background: float = 0.0
    # Documents in several versions (bot/answering/versions.py): "original" ranks each
    # family by its original and then takes the matching passage of the asker's version;
    # "asker" ranks it by its version in the asker's language. Measured on the test split,
    # non-German questions (14): "asker" recall@1 0.917 -> 0.500, refusal accuracy 1.0 ->
    # 0.5, as the embedder ranks any passage in the question's language (a translated page
    # on naturalisation for a question on work permits) above the right German one.
    versions: str = "original"
    # A question in another language than German: the German terms of the glossary concepts
    # it names (bot/answering/glossary.py) are searched with BM25 at this weight; with
    # `glossary_dense` > 0 the question's vector plus this share of the terms' embedding
    # ranks the dense candidates (the refusal signals stay the question's own similarities).
    glossary_bm25: float = 0.3
    glossary_dense: float = 0.5
    glossary_aspect: float = 0.5  # an aspect concept's share against a topic's


class GermanBM25:
    """BM25 over chunk text plus title and headings, with Snowball German stemming: the
    generation's stored one (memory-mapped, `bot.indexing.lexical`), or for a generation
    written before BM25 was stored, one built here from `texts` (with their `ids`)."""

    def __init__(
        self,
        texts: list[str] | None = None,
        ids: list[str] | None = None,
        stored: StoredBM25 | None = None,
    ) -> None:
        self._tokenizer = Tokenizer()
        self._stemmer = self._tokenizer.stemmer
        self._stored = stored
        self._ids = list(ids or [])
        self._model: Any = None
        self.vocab: Container[str]
        if stored is not None:
            self.size = stored.size
            self.vocab = stored
            return
        texts = texts or []
        self.size = len(texts)
        tokens = self._tokenizer.corpus(texts)
        self.vocab = set(tokens.vocab)
        if texts:
            import bm25s

            self._model = bm25s.BM25()
            self._model.index(tokens, show_progress=False)

    def terms(self) -> set[str]:
        """The whole vocabulary (the refusal's fuzzy look-up reads it)."""
        if self._stored is not None:
            return self._stored.terms()
        assert isinstance(self.vocab, set)
        return self.vocab

    def stems(self, text: str) -> list[str]:
        return self._tokenizer.stems(text)

    def id_at(self, position: int) -> str:
        """The chunk id of a position in `scores`."""
        if self._stored is not None:
            return self._stored.id_at(position)
        return self._ids[position]

    def begins_a_word(self, stem: str) -> bool:
        """Whether a corpus word begins with this stem (six letters or more): the stemmer
        leaves words with accents whole, so "Sprachcafé" is not found as such among the
        corpus's "Sprachcafés". On first use the vocabulary is sorted once."""
        if len(stem) < MIN_PREFIX_STEM:
            return False
        words = self._sorted_terms
        at = bisect.bisect_left(words, stem)
        return at < len(words) and words[at].startswith(stem)

    @cached_property
    def _sorted_terms(self) -> list[str]:
        return sorted(self.terms())

    def split_compound(self, stem: str) -> list[str]:
        """German compounds the corpus only has in parts: "anerkennungsverfahr" gives
        ["anerkenn", "verfahr"], "kitaplatz" gives ["kita", "platz"]; else []."""
        if stem in self.vocab or len(stem) < 7:
            return []
        for i in range(len(stem) - 3, 2, -1):
            left, right = stem[:i], stem[i:]
            for head in (left, left[:-1] if left.endswith("s") else None):
                if not head or len(head) < 3:
                    continue
                parts = [self._stemmer.stemWord(head), self._stemmer.stemWord(right)]
                if all(p in self.vocab for p in parts):
                    return parts
        return []

    def together(self, stems: list[str]) -> bool:
        """Whether one passage holds all these stems (False for none)."""
        if not stems or not self.size:
            return False
        held = np.ones(self.size, dtype=bool)
        for stem in stems:
            held &= self._term_scores([stem]) > 0
        return bool(held.any())

    def scores(self, text: str) -> np.ndarray:
        if not self.size:
            return np.zeros(0)
        terms = self.stems(text)
        terms += [part for term in terms for part in self.split_compound(term)]
        if not terms:
            return np.zeros(self.size)
        return self._term_scores(terms)

    def _term_scores(self, terms: list[str]) -> np.ndarray:
        """BM25 scores of every passage for these stems, from the stored or the built model."""
        if self._stored is not None:
            return self._stored.scores(terms)
        return np.asarray(self._model.get_scores(terms), dtype=np.float32)


class Retriever:
    """Loaded once per index generation; `search` is the hot path (one query embedding)."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: BotEmbeddings,
        weights: FusionWeights | None = None,
        candidates: int = 20,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.candidates = candidates
        # per file where its chunks are and what the manifest says of it; a generation read
        # whole (small ones, older versions) has every chunk's metadata at hand
        preloaded = index.preloaded is not None
        spans = FileSpans.of_chunks(index.metadatas) if preloaded else index.file_spans()
        self.versions = Versions(
            index.ids, vectors=self._vectors, parts=None if preloaded else self._parts, spans=spans
        )
        # chunks whose ranking or version depends on the asker (documents in several versions)
        self._positions = {index.ids[p]: p for p in self.versions.member_positions()}
        # BM25, the refusal's known words, the calibration sample and the hub centroid are
        # the originals' (with Leichte Sprache when versions are ranked as the asker's):
        # translations would add foreign words and shift "the corpus at large"
        easy = self.weights.versions == "asker"
        if index.lexical is not None and not easy:
            self.bm25 = GermanBM25(stored=index.lexical)
        else:  # built here: a generation without stored BM25, or another choice of texts
            texts, full = index.texts, index.metadatas
            chosen = [
                i
                for i, meta in enumerate(full)
                if is_lexical(meta) or (easy and str(meta.get("lang", "")).startswith("de-"))
            ]
            self.bm25 = GermanBM25(
                [lexical_text(texts[i], full[i]) for i in chosen], [index.ids[i] for i in chosen]
            )
        self._common_terms = {stem for word in common_words() for stem in self.bm25.stems(word)}
        # stored with the generation at build time; older generations: computed here
        stored = index.background
        self._background = stored if stored is not None else background_vectors(embedder)
        # originals written in another language than German (an English page) are judged
        # as hubs against the centre of their own language (see `_hub_penalties`); the
        # centre of each is the mean of its first chunks in index order
        members: dict[str, list[int]] = {}
        for start, count, meta in spans:
            code = foreign_language(meta)
            if code is not None:
                held = members.setdefault(code, [])
                held.extend(range(start, start + min(count, CALIBRATION_SAMPLE - len(held))))
        self._language_centroids: dict[str, np.ndarray] = {}
        for code, positions in members.items():
            mean = self._vectors([index.ids[p] for p in positions]).mean(axis=0)
            self._language_centroids[code] = mean / (float(np.linalg.norm(mean)) or 1.0)
        originals = [(start, count) for start, count, meta in spans if is_lexical(meta)]
        corpus_sample = _calibration_vectors(
            index, [index.ids[p] for p in spread_positions(originals, CALIBRATION_SAMPLE)]
        )
        parts = [v for v in (corpus_sample, self._background) if v is not None and len(v)]
        self._calibration = np.vstack(parts) if parts else None
        self._centroid = None
        if corpus_sample is not None and len(corpus_sample):
            mean = corpus_sample.mean(axis=0)
            self._centroid = mean / (float(np.linalg.norm(mean)) or 1.0)

    @cached_property
    def known_terms(self) -> set[str]:
        """Words the refusal check treats as known: the corpus's own plus everyday words,
        folded as its typo check compares them (`fold_term`). Made on first use, once per
        index: folded for each question, 150 k words took 0.24 s."""
        return {fold_term(t) for t in self.bm25.terms() | self._common_terms}

    def is_known(self, stem: str) -> bool:
        """Whether the documents or everyday German use this stem."""
        return stem in self._common_terms or stem in self.bm25.vocab

    def _names_a_used_topic(self, word: str) -> bool:
        """Whether a word is a German term of a glossary topic the documents speak of in
        other words ("krankenschwester" for the pages on "Pflegefachkräfte", "Kindergarten"
        for "Kita"): then it is no topic the documents lack. The word itself must be the
        term: "Pflegegeld" begins with "Pflege" but is another topic. A used term that
        begins like the word is a neighbour, not the same topic: the documents' "Steuer-ID"
        says nothing about the "Steuererklärung"."""
        stems = self.bm25.stems(word)
        if not stems:
            return False

        def covers(term: str) -> bool:
            parts = self.bm25.stems(term)
            return (
                bool(parts)
                and not stems[0].startswith(parts[0])
                and all(self.is_known(part) for part in parts)
            )

        return any(
            any(self.bm25.stems(term) == stems for term in concept.german)
            and any(covers(term) for term in concept.german)
            for concept in glossary().concepts_in(word, "de")
        )

    def _parts(self, ids: list[str]) -> list[int]:
        """The section number of each chunk (for matching passages across versions)."""
        found = self.index.chunks(ids)
        return [int(found[c].metadata.get("part", 0) or 0) if c in found else 0 for c in ids]

    def _vectors(self, ids: list[str]) -> np.ndarray:
        """Stored chunk vectors in the order of `ids`."""
        stored = self.index.collection.vectors(ids)
        return np.asarray([stored[cid] for cid in ids], dtype=np.float32)

    def search(
        self, query: str, language: str, k: int = 4, prefer: str | None = None
    ) -> RetrievalResult:
        """The k best passages. `prefer`: the asker's language when it is a variant of
        `language` (Leichte Sprache); document families answer in its version."""
        asker = prefer or language
        concepts = (
            glossary().concepts_in(query, language) if base_language(language) != "de" else []
        )
        vector = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        ranked_by = vector
        if concepts and self.weights.glossary_dense > 0:
            ranked_by = self._towards(vector, [c.german[0] for c in concepts])
        versions = self.versions if self.versions.any else None
        by_original = versions is not None and self.weights.versions == "original"
        # several versions of a page fill the candidates: ask for more, keep one version
        wanted = self.candidates * (4 if versions else 1)
        n_results = min(wanted, len(self.index.ids))
        if n_results == 0:
            return RetrievalResult([], language, 0.0, 0.0, asker=asker)
        # texts not in memory (a large generation): the dense candidates bring theirs, which
        # spares a Chroma server a second request for most hits
        with_text = self.index.preloaded is None
        found = self.index.collection.query(
            ranked_by, n_results, with_text=with_text, with_vectors=True
        )
        brought = {
            m.id: Record(m.id, m.text, m.metadata)
            for m in found
            if m.text is not None and m.metadata is not None
        }
        if versions is not None:
            found = [m for m in found if self._keeps(m.id, asker, by_original)] or found
        dense = {m.id: m.similarity for m in found}
        ranking = dict(dense)
        if ranked_by is not vector:  # the refusal and the composer read the question's own
            own = [
                self._similarity(vector, m.id) if m.vector is None else m.vector @ vector
                for m in found
            ]
            dense = {m.id: float(value) for m, value in zip(found, own, strict=True)}
        if self.weights.hub_centroid or self.weights.hub_background:
            stored = {m.id: m.vector for m in found if m.vector is not None}
            if len(stored) < len(dense):  # a store that does not return them
                stored = self.index.collection.vectors(list(dense))
            ids = [cid for cid in dense if cid in stored]
            if ids:
                languages = (
                    self._foreign_languages(ids, brought) if self._language_centroids else None
                )
                penalties = self._hub_penalties(np.vstack([stored[cid] for cid in ids]), languages)
                for cid, penalty in zip(ids, penalties, strict=True):
                    ranking[cid] -= float(penalty)
        w_bm25 = self.weights.bm25_german if language == "de" else self.weights.bm25_other

        fused: dict[str, float] = {}
        for rank, cid in enumerate(sorted(ranking, key=ranking.__getitem__, reverse=True)):
            fused[cid] = self.weights.dense / (self.weights.rrf_k + rank + 1)
        lexical = []
        if w_bm25 > 0:
            lexical.append((self.bm25.scores(query), w_bm25))
        if concepts and self.weights.glossary_bm25 > 0:
            lexical.append((self._concept_scores(concepts), self.weights.glossary_bm25))
        for scores, weight in lexical:
            for rank, cid in enumerate(self._lexical_ids(scores, asker, by_original)):
                fused[cid] = fused.get(cid, 0.0) + weight / (self.weights.rrf_k + rank + 1)

        hits = []
        best = sorted(fused.items(), key=lambda item: item[1], reverse=True)[:k]
        records = {cid: brought[cid] for cid, _ in best if cid in brought}
        missing = [cid for cid, _ in best if cid not in records]
        if missing:  # one store read (none when the chunks are in memory)
            records.update(self.index.chunks(missing))
        for cid, score in best:
            record = records.get(cid)
            if record is None:  # gone from the store since the generation was written
                continue
            # a BM25-only hit has no dense score from the query; fetch its vector (rare)
            similarity = dense[cid] if cid in dense else self._similarity(vector, cid)
            hits.append(
                Hit(
                    id=cid,
                    text=record.text,
                    metadata=record.metadata,
                    score=score,
                    dense=similarity,
                )
            )
        if versions is not None:
            moved: dict[str, Hit] = {}
            for hit in hits:
                hit = self._in_version(hit, asker, vector, by_original)
                moved.setdefault(hit.id, hit)  # two passages may match the same one
            hits = list(moved.values())
        top_dense = max(dense.values())
        unknown: list[str] = []
        for word in key_terms(query, language):
            lacking = [stem for stem in self.bm25.stems(word) if not self.is_known(stem)]
            # only a word the documents lack is looked up in the glossary (0.4-1.8 ms a word)
            if lacking and not self._names_a_used_topic(word):
                unknown += lacking
        background_best = (
            float(similarities(self._background, vector).max()) if len(self._background) else 0.0
        )
        margin = top_dense - background_best if len(self._background) else 1.0
        return RetrievalResult(
            asker=asker,
            hits=hits,
            language=language,
            z_score=self._z_score(vector, top_dense),
            top_dense=top_dense,
            background_margin=margin,
            unknown_terms=unknown,
            vector=vector,
            background_best=background_best,
        )

    def within_document(self, source: str, vector: np.ndarray, k: int) -> list[Hit]:
        """The k passages of one document closest to `vector`, best first: a follow-up stays
        on the page of its conversation ("muss sie vorher deutsch lernen?" after a question
        on family reunification; searched in the whole corpus, "Deutsch lernen" of the
        arrival page came first)."""
        ids = [
            cid
            for start, count, meta in self.index.file_spans()
            if meta.get("source") == source
            for cid in self.index.ids[start : start + count]
        ]
        if not ids:
            return []
        sims = similarities(self._vectors(ids), np.asarray(vector, dtype=np.float32))
        best = [ids[i] for i in np.argsort(-sims)[:k]]
        score = dict(zip(ids, sims.tolist(), strict=True))
        records = self.index.chunks(best)
        return [
            Hit(cid, records[cid].text, records[cid].metadata, score[cid], dense=score[cid])
            for cid in best
            if cid in records
        ]

    def _towards(self, vector: np.ndarray, terms: list[str]) -> np.ndarray:
        """The question's vector moved towards the embedding of the German terms it names:
        ranks the dense candidates. One short extra embedding (about 10 ms); embedding the
        question with the terms appended cost 25-40 ms more than the question alone."""
        embedded = np.asarray(self.embedder.embed_query(" ".join(terms)), dtype=np.float32)
        embedded /= float(np.linalg.norm(embedded)) or 1.0
        moved = (
            vector / (float(np.linalg.norm(vector)) or 1.0) + self.weights.glossary_dense * embedded
        )
        moved /= float(np.linalg.norm(moved)) or 1.0
        return moved

    def _concept_scores(self, concepts: Sequence[Concept]) -> np.ndarray:
        """BM25 of the German terms of each concept, scaled to its best chunk and summed:
        every concept a question names counts alike (one with four German terms would
        otherwise outweigh one with a single term), an aspect ("Kosten", "Termin") less."""
        total = np.zeros(self.bm25.size, dtype=np.float32)
        for concept in concepts:
            scores = self.bm25.scores(" ".join(concept.german))
            best = float(scores.max()) if scores.size else 0.0
            if best > 0:
                weight = self.weights.glossary_aspect if concept.aspect else 1.0
                total += np.float32(weight / best) * scores.astype(np.float32)
        return total

    def _lexical_ids(self, scores: np.ndarray, asker: str, by_original: bool) -> list[str]:
        """The chunks of the best BM25 scores, best first."""
        if not scores.size or float(scores.max()) <= 0:
            return []
        order = top_positions(scores, self.candidates)
        ids = [self.bm25.id_at(int(pos)) for pos in order if scores[pos] > 0]
        if self.versions.any:
            ids = [c for c in ids if self._keeps(c, asker, by_original)]
        return ids

    def _foreign_languages(self, ids: list[str], brought: dict[str, Record]) -> list[str | None]:
        """`foreign_language` of each chunk, from the metadata the dense query brought (or
        the chunks held in memory): no map of every foreign chunk's id."""
        missing = [cid for cid in ids if cid not in brought]
        records = {**self.index.chunks(missing), **brought} if missing else brought
        return [foreign_language(records[c].metadata) if c in records else None for c in ids]

    def _keeps(self, cid: str, language: str, by_original: bool) -> bool:
        position = self._positions.get(cid)
        if position is None:  # a document in one version only
            return True
        if by_original:
            doc = self.versions.doc_of(position)
            return doc.original == doc.source
        return self.versions.keeps(position, language)

    def _hit_at(self, position: int, vector: np.ndarray, score: float) -> Hit:
        stored = self.versions.vector(position)
        similarity = float(np.dot(stored, vector)) if stored is not None else 0.0
        cid = self.index.ids[position]
        record = self.index.chunks([cid])[cid]
        return Hit(cid, record.text, record.metadata, score=score, dense=similarity)

    def _in_version(self, hit: Hit, asker: str, vector: np.ndarray, by_original: bool) -> Hit:
        """The hit in the asker's version of its document, with the original's matching
        passage attached when that version is a translation."""
        position = self._positions.get(hit.id)
        if position is None:  # a document in one version only
            return hit
        doc = self.versions.doc_of(position)
        if by_original:
            target = self.versions.version_for(doc.source, asker)
            if target != doc.source:
                moved = self._hit_at(self.versions.matching(position, target, vector), vector, 0.0)
                moved.score, moved.original = hit.score, hit
                # ranked by the original: the translation's passage keeps that rank and gets
                # its own similarity (the composer compares units with the question)
                return moved
            return hit
        if doc.original != doc.source:
            matched = self.versions.matching(position, doc.original, vector)
            hit.original = self._hit_at(matched, vector, hit.score)
        return hit

    def _hub_penalties(
        self, vectors: np.ndarray, languages: list[str | None] | None = None
    ) -> np.ndarray:
        """How much each candidate chunk is near everything (see FusionWeights). A chunk of
        a page in another language than German (`languages`) is measured against the centre
        of its own language: against the German centre it looks like no hub at all and
        gained 0.5 x the gap (measured on the dev set of district B: an English page on
        recognition came first for Arabic, Farsi and Russian questions on naturalisation,
        health insurance and appointments)."""
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        vectors = vectors / norms
        penalty = np.zeros(len(vectors), dtype=np.float32)
        if self.weights.hub_centroid and self._centroid is not None:
            centrality = np.einsum("ij,j->i", vectors, self._centroid)
            for row, code in enumerate(languages or []):
                if code in self._language_centroids:  # a page in another language
                    centrality[row] = float(vectors[row] @ self._language_centroids[code])
            penalty += self.weights.hub_centroid * centrality
        if self.weights.hub_background and len(self._background):
            near = np.einsum("ij,kj->ik", vectors, self._background)
            k = min(HUB_NEIGHBOURS, near.shape[1])
            closest = np.partition(near, near.shape[1] - k, axis=1)[:, -k:]
            penalty += self.weights.hub_background * closest.mean(axis=1)
        return penalty

    def background_similarity(self, vector: np.ndarray) -> float:
        """How close a query vector is to everyday text (the closest background passage)."""
        if not len(self._background):
            return 0.0
        return float(similarities(self._background, np.asarray(vector, np.float32)).max())

    def similarity(self, vector: np.ndarray | None, cid: str) -> float:
        """Cosine of a query vector to one stored chunk."""
        if vector is None:
            return 0.0
        return self._similarity(np.asarray(vector, dtype=np.float32), cid)

    def _similarity(self, vector: np.ndarray, cid: str) -> float:
        stored = self.index.collection.vectors([cid]).get(cid)
        return 0.0 if stored is None else float(np.dot(stored, vector))

    def _z_score(self, vector: np.ndarray, top: float) -> float:
        if self._calibration is None or len(self._calibration) < 5:
            return 0.0
        sims = similarities(self._calibration, vector)
        std = float(sims.std()) or 1e-6
        return (top - float(sims.mean())) / std


def foreign_language(meta: Metadata) -> str | None:
    """The base language of an original written in another language than German (an
    English page), None for German pages and translations."""
    lang = meta.get("lang")
    if not lang or meta.get("translation_of"):
        return None
    code = base_language(str(lang))
    return None if code == "de" else code


def spread_positions(spans: Sequence[tuple[int, int]], wanted: int) -> list[int]:
    """Every step-th position of the chunks the spans (first, count) cover, in order,
    with the step that leaves at most `wanted`: a fixed sample without listing them all."""
    counts = np.asarray([count for _, count in spans], dtype=np.int64)
    total = int(counts.sum()) if len(counts) else 0
    if not total:
        return []
    step = max(1, math.ceil(total / wanted))
    picks = np.arange(0, total, step, dtype=np.int64)
    ends = np.cumsum(counts)
    span = np.searchsorted(ends, picks, side="right")
    starts = np.asarray([start for start, _ in spans], dtype=np.int64)
    positions: list[int] = (starts[span] + picks - (ends[span] - counts[span])).tolist()
    return positions


def top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest of non-negative scores (BM25), best first, equal scores by
    position. Selects before it sorts: a full argsort of the BM25 scores took 217 ms per
    question at 2 M chunks; most scores are 0, so the selection runs over the others."""
    if k <= 0 or not scores.size:
        return np.zeros(0, dtype=np.int64)
    positive = np.flatnonzero(scores > 0)
    if positive.size <= k:  # all positive ones, then zeros by position
        zeros = np.flatnonzero(scores <= 0)[: k - positive.size]
        chosen = np.concatenate([positive, zeros])
    else:
        values = scores[positive]
        threshold = np.partition(values, values.size - k)[values.size - k]
        above = positive[values > threshold]
        # of the scores equal to the k-th, the first by position (what a stable sort keeps)
        ties = positive[values == threshold][: k - above.size]
        chosen = np.concatenate([above, ties])
    order = np.argsort(-scores[chosen], kind="stable")
    return chosen[order][:k]


def similarities(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Row-wise dot products without BLAS. A BLAS matrix-vector product here wakes
    OpenBLAS's thread pool, whose spinning threads then compete with the embedder's
    OpenMP threads: measured on 2 cores, the next query embedding took 22 ms instead
    of 11 ms. einsum's own loop does the same work in 0.15 ms on one thread."""
    products: np.ndarray = np.einsum("ij,j->i", matrix, vector)
    return products


@lru_cache(maxsize=1)
def common_words() -> tuple[str, ...]:
    text = resources.files("bot.data").joinpath("common_words.txt").read_text(encoding="utf-8")
    return tuple(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def human_contact_vectors(embedder: BotEmbeddings) -> np.ndarray:
    """ "I want to talk to a person" in our languages, embedded as questions."""
    return cached_vectors(embedder, "human_contact.txt", as_queries=True)


def out_of_scope_vectors(embedder: BotEmbeddings) -> np.ndarray:
    """Questions no information page answers (own case, free places now, a recommendation,
    a personal amount, timetables), embedded as questions; see out_of_scope.txt."""
    return cached_vectors(embedder, "out_of_scope.txt", as_queries=True)


_CYRILLIC = "[а-яёіїєґ]"


def _place_variant(variant: str, exact: bool) -> str:
    """The pattern of one written form of a place; a Cyrillic name's final soft sign gives
    way to the case ending ("Свистталь" -> "в Свисттале", "Нідеркассель" -> "у Нідеркасселі")."""
    pattern = re.escape(variant).replace(r"\ ", r"\s+")
    if not exact and variant[-1:].lower() == "ь" and len(variant) > 3:
        pattern = f"{pattern[:-1]}(?:ь|{_CYRILLIC}{{1,3}})"
    return pattern


@lru_cache(maxsize=1)
def _place_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for line in data_lines("places.txt"):
        exact = line.startswith("!")  # a name that is also a word ("how much"): as written
        variants = [v.strip() for v in line.lstrip("!").split("|") if v.strip()]
        alternatives = "|".join(_place_variant(v, exact) for v in variants)
        flags = 0 if exact else re.I
        # a Cyrillic name may carry a case ending ("в Райнбахе", "з Бонна")
        ending = "" if exact else rf"(?:(?<={_CYRILLIC}){_CYRILLIC}{{1,3}})?"
        out.append(
            (variants[0], re.compile(rf"(?<![\w-])(?:{alternatives}){ending}(?![\w-])", flags))
        )
    return tuple(out)


def named_places(text: str) -> list[str]:
    """Places of the district (and beyond) a text names, by their main name."""
    return [name for name, pattern in _place_patterns() if pattern.search(text)]


def mentions_place(text: str, place: str) -> bool:
    return any(name == place and p.search(text) for name, p in _place_patterns())


def _calibration_vectors(index: LoadedIndex, ids: Sequence[str]) -> np.ndarray | None:
    """A fixed sample of chunk vectors: the 'corpus at large' a query is compared with."""
    if not ids:
        return None
    step = max(1, math.ceil(len(ids) / CALIBRATION_SAMPLE))
    sample = ids[::step]
    vectors = np.asarray(list(index.collection.vectors(sample).values()), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normed: np.ndarray = vectors / norms
    return normed


def fold_term(term: str) -> str:
    """A word without accents, with ß as ss: the refusal's typo check compares words so."""
    if term.isascii():  # most words: the same string, not a copy
        return term
    term = term.replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", term) if not unicodedata.combining(c))


MIN_PREFIX_STEM = 6  # a shorter stem begins too many unrelated words ("rent", "kind")
# languages not written in Latin letters: a Latin word in their questions is a term
_OTHER_SCRIPTS = {"ar", "fa", "uk", "ru"}
_LATIN_WORD = re.compile(r"[A-Za-zÄÖÜäöüß][A-Za-zÄÖÜäöüß-]*")
_GERMAN_LOOKING = re.compile(
    r"[äöüßÄÖÜ]|(ung|geld|schein|heit|keit|schaft|amt|gesetz|recht|zentrum|antrag|kurs|"
    r"erlaubnis|bescheinigung|versicherung|beratung)$",
    re.I,
)


def key_terms(question: str, language: str) -> list[str]:
    """Capitalised words of five letters or more: German nouns in a German question, and
    German-looking terms ("Kindergeld") inside a question in another language; in a German
    question also the nouns typed in lower case ("schufa", see bot/answering/nouns.py), in
    an Arabic, Farsi, Ukrainian or Russian question every Latin word, which names a German
    or English term however it is written ("как проверить свою schufa бесплатно").
    These carry a question's topic; the refusal check asks whether the corpus uses them."""
    out = []
    own_script = base_language(language) in _OTHER_SCRIPTS
    for word in _LATIN_WORD.findall(question):
        if len(word) < 5:
            continue
        if own_script:
            out.append(word)
        elif not word[0].isupper():
            continue
        elif language == "de" or (language != "tr" and _GERMAN_LOOKING.search(word)):
            out.append(word)
    if base_language(language) == "de":
        out += lowercase_nouns(question)
    return out
