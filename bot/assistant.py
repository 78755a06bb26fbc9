"""The assistant: one question (plus the conversation so far) in, a grounded answer out.

    question -> checks (empty, length) -> language -> follow-up resolution -> retrieval
             -> refusal decision -> extractive answer, or LLM answer with fallback

`stream()` is the one generator both the web UI and the CLI consume: it yields text
pieces (`Delta`) while an LLM writes and always ends with the complete `Answer`. The
index is loaded once; `reload_if_changed()` switches to a newly built generation
without a restart, and answers keep coming from the old one until then.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.answer import (
    Answer,
    compose_extractive,
    make_citations,
    refusal_answer,
    refusal_reason,
    select_passages,
)
from bot.config import Settings
from bot.embeddings import BotEmbeddings, make_embedder
from bot.i18n import detect_language, message
from bot.index import IndexProblem, current_generation, load_index
from bot.llm import NO_ANSWER, LLMAnswerer, LLMError, clean_citations, has_citation
from bot.retrieval import RetrievalResult, Retriever

log = logging.getLogger(__name__)

Turn = tuple[str, str]  # (user question, bot answer)

_FOLLOW_UP = re.compile(
    r"^(und|aber|also|and|what about|how about|ve|peki|а|и|і|а як|و|اما)\b"
    r"|\b(das|dies|dafür|dazu|davon|darauf|es|sie|er|dort|da|it|this|that|there|they|them|"
    r"bu|bunun|onun|orada|это|этого|там|це|цього|там|هذا|ذلك|هناك|این|آن|آنجا)\b",
    re.I,
)


@dataclass
class Delta:
    """A piece of streamed answer text."""

    text: str


def is_follow_up(question: str) -> bool:
    """Short questions that lean on the previous turn ("und was kostet das?")."""
    words = question.split()
    return len(words) <= 7 and bool(_FOLLOW_UP.search(question))


def retrieval_query(question: str, history: Sequence[Turn] | None) -> str:
    """A follow-up is searched together with the question it follows."""
    if history and is_follow_up(question):
        previous = history[-1][0]
        return f"{previous} {question}"
    return question


class Assistant:
    def __init__(self, settings: Settings, embedder: BotEmbeddings) -> None:
        self.settings = settings
        self.embedder = embedder
        self._lock = threading.Lock()  # guards the switch and the loader thread
        self._retriever: Retriever | None = None
        self._generation: str | None = None
        self._loader: threading.Thread | None = None
        self._failed: set[str] = set()  # generations that did not load: not retried per request
        self.llm = LLMAnswerer(settings) if settings.llm_enabled else None
        self.reload_if_changed(force=True)

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for (the language models).
        The web server runs this in the background after start; `bot ask` does not."""
        detect_language("Guten Tag, wie geht es?")

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        return cls(settings, make_embedder(settings.embedding_model))

    @property
    def generation(self) -> str | None:
        return self._generation

    @property
    def retriever(self) -> Retriever:
        assert self._retriever is not None
        return self._retriever

    def reload_if_changed(self, force: bool = False, wait: bool = False) -> bool:
        """Switch to a newly built index generation without stalling answers.

        Every request calls this, so it only compares generation names. A new generation is
        loaded once, by one background thread, and then swapped in as a whole; requests
        meanwhile keep answering from the old one. `wait` blocks until that load has ended
        (the staff area after an index run, tests); `force` loads in the calling thread and
        raises on problems (start-up). True when this call switched to a new generation.
        """
        if force:
            with self._lock:
                index = load_index(self.settings, self.embedder)
                self._retriever = Retriever(index, self.embedder)
                self._generation = index.generation
            return True
        generation = current_generation(self.settings.index_dir)
        if generation is None or generation == self._generation or generation in self._failed:
            return False
        with self._lock:
            loader = self._loader
            if loader is None or not loader.is_alive():
                loader = threading.Thread(
                    target=self._load, args=(generation,), name="index-loader", daemon=True
                )
                self._loader = loader
                loader.start()
        if not wait:
            return False
        loader.join()
        return self._generation == generation

    def _load(self, generation: str) -> None:
        """The loader thread: build the new retriever outside the lock, then swap it in."""
        try:
            index = load_index(self.settings, self.embedder)
            retriever = Retriever(index, self.embedder)
        except IndexProblem as exc:  # keep answering from the generation we have
            # admins see the error in the log; a rebuild makes a new generation to try
            self._failed.add(generation)
            log.error("new index generation %s not loaded: %s", generation, exc)
            return
        except Exception:
            self._failed.add(generation)
            log.exception("new index generation %s not loaded", generation)
            return
        with self._lock:
            self._retriever, self._generation = retriever, index.generation

    # --- answering ----------------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        answer: Answer | None = None
        for event in self.stream(question, history):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(
        self, question: str, history: Sequence[Turn] | None = None
    ) -> Iterator[Delta | Answer]:
        started = time.perf_counter()
        question = (question or "").strip()
        language = detect_language(question)
        if not question:
            yield Answer(question, message("empty", language), True, language, reason="empty")
            return
        if len(question) > self.settings.max_question_chars:
            text = message("too_long", language, limit=self.settings.max_question_chars)
            yield Answer(question[:200], text, True, language, reason="too-long")
            return

        retriever = self._retriever
        assert retriever is not None
        query = retrieval_query(question, history)
        result = retriever.search(query, language, k=max(self.settings.top_k, 4))
        reason = refusal_reason(
            question,
            result,
            retriever.known_terms,
            self.settings.refusal_min_relevance,
            self.settings.refusal_clear_relevance,
        )
        if reason:
            answer = refusal_answer(question, language, reason)
        elif self.llm is not None:
            answer = yield from self._llm_answer(question, result)
        else:
            text, citations = compose_extractive(question, result, retriever.bm25.stems)
            answer = Answer(question, text, False, language, citations)
        answer.seconds = time.perf_counter() - started
        if self.settings.log_questions:
            log.info("question=%r refused=%s reason=%s", question, answer.refused, answer.reason)
        else:
            log.info("answered refused=%s reason=%s", answer.refused, answer.reason)
        yield answer

    def _llm_answer(self, question: str, result: RetrievalResult) -> Iterator[Delta]:
        """Stream from the LLM; on failure, return the extractive answer with a note."""
        assert self.llm is not None
        language = result.language
        passages = select_passages(result, max_passages=3)
        pieces: list[str] = []
        held = ""  # held back until we know the answer is not the NO_ANSWER marker
        streaming = False
        try:
            for piece in self.llm.stream(question, language, passages):
                pieces.append(piece)
                if streaming:
                    yield Delta(piece)
                    continue
                held += piece
                start = held.lstrip()
                if len(start) >= len(NO_ANSWER) or not NO_ANSWER.startswith(start):
                    if not start.startswith(NO_ANSWER):
                        streaming = True
                        yield Delta(held)
        except LLMError as exc:
            log.warning("LLM failed, falling back to extractive answer: %s", exc)
            return self._fallback(question, result)
        text = "".join(pieces).strip()
        if not text or text.startswith(NO_ANSWER):
            return refusal_answer(question, language, "llm-no-answer")
        text = clean_citations(text, len(passages))
        if not has_citation(text):
            # An answer that cites none of the passages is not grounded (or the model
            # followed an instruction it found somewhere): show the passages instead.
            log.warning("LLM answer without citations, falling back to extractive answer")
            return self._fallback(question, result)
        citations = make_citations(result, passages, max_sources=len(passages))
        return Answer(question, text, False, language, citations, mode="llm")

    def _fallback(self, question: str, result: RetrievalResult) -> Answer:
        language = result.language
        text, citations = compose_extractive(question, result, self.retriever.bm25.stems)
        note = message("llm_fallback", language)
        return Answer(question, f"{note}\n\n{text}", False, language, citations, notice=note)
