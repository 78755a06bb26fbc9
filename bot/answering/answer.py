"""Answers: the data the UI and CLI show, the extractive composer, and the refusal decision.

The extractive composer never writes text of its own about the topic: it quotes the
best passage(s) from the corpus, trimmed to the sentences and list items that carry
the question's terms, under their section heading, with numbered citations. Everything
around the quote (refusal, notes, labels) is a fixed, translated message.
"""

from __future__ import annotations

import re
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from bot.answering.compose import (
    ScoredUnit,
    UnitStore,
    Weights,
    asks_for,
    candidate_hits,
    choose_blocks,
    join_units,
    score_units,
)
from bot.answering.retrieval import Hit, RetrievalResult, fold_term, relevance
from bot.i18n import base_language, contact_line, format_date, message, quote_note
from bot.ingest.chunking import SECTION_SEPARATOR
from bot.ingest.documents import is_outdated
from bot.ingest.units import tells_how_to_reach

EXCERPT_CHARS = 1200  # the whole passage: the full section stays one click away


@dataclass
class Citation:
    number: int
    source: str
    title: str
    section: str
    score: float
    excerpt: str
    page: int | None = None
    updated: str | None = None
    url: str | None = None
    lang: str | None = None  # the document's language when it names one
    translation_of: str | None = None  # for a translation: its original's file name

    def label(self, language: str = "de") -> str:
        """ "Einbürgerung › Kosten, S. 2 (Stand 01.10.2026)" for the citation list."""
        text = self.title + (f" › {self.section}" if self.section else "")
        if self.page:
            text += f", {message('page', language)} {self.page}"
        if self.updated:
            text += f" ({message('as_of', language)} {format_date(self.updated, language)})"
        return text

    def contract(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            "score": round(self.score, 4),
            "excerpt": self.excerpt,
            "section": self.section,
        }
        for key in ("page", "updated", "url", "lang", "translation_of"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass
class Answer:
    question: str
    text: str
    _: KW_ONLY  # Answer(q, text, refused=True, ...): a bare True/False says nothing at the call
    refused: bool
    language: str
    sources: list[Citation] = field(default_factory=list)
    seconds: float = 0.0
    notice: str | None = None  # e.g. the LLM fell back to the extractive answer
    reason: str | None = None  # why it refused (for logs/eval, never shown to citizens)
    mode: str = "extractive"
    # (asker's language, original's file) when the answer came from a document that has no
    # version in the asker's language: counted (never with the question) for staff
    untranslated: tuple[str, str] | None = None

    def contract(self) -> dict[str, Any]:
        """One line of `python -m bot ask --json` (the contract in docs/design.md)."""
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "language": self.language,
            "sources": [c.contract() for c in self.sources],
            "seconds": round(self.seconds, 4),
        }

    def as_text(self) -> str:
        lines = [self.text]
        if self.sources:
            lines.append("")
            lines.append(message("sources", self.language) + ":")
            for cite in self.sources:
                line = f"[{cite.number}] {cite.label(self.language)} – {cite.source}"
                lines.append(line + (f" – {cite.url}" if cite.url else ""))
        return "\n".join(lines)


def refusal_answer(question: str, language: str, reason: str, place: str | None = None) -> Answer:
    """The documents hold no answer: say so plainly and name the human contact."""
    said = (
        message("refusal_place", language, place=place) if place else message("refusal", language)
    )
    return Answer(
        question,
        f"{said}\n\n{contact_line(language)}",
        refused=True,
        language=language,
        sources=[],
        reason=reason,
    )


def personal_answer(
    question: str, language: str, intent: str, office: Composed | None = None
) -> Answer:
    """A question about the asker's own case, what is free now, a recommendation, a personal
    amount or a booking (bot/answering/intents.py): no page answers it, so say why and name
    the contact instead of quoting the nearest page. `office`: the contact block of the
    page on the topic (the office that knows), quoted with its source."""
    parts = [message(intent, language)]
    if office is not None:
        parts += [message("office_contact", language), office.text]
    parts.append(contact_line(language))
    sources = office.citations if office is not None else []
    return Answer(
        question,
        "\n\n".join(parts),
        refused=True,
        language=language,
        sources=sources,
        reason=intent,
    )


def small_talk_answer(question: str, language: str, kind: str) -> Answer:
    """A greeting, thanks or a message without words (bot/answering/smalltalk.py): a short
    reply saying what the bot answers. No page answers it, so it counts as a refusal."""
    key = {"thanks": "small_talk_thanks", "no-words": "not_understood"}.get(kind, "small_talk")
    return Answer(question, message(key, language), refused=True, language=language, reason=kind)


def human_contact_answer(question: str, language: str) -> Answer:
    """ "I want to talk to a person": straight to the contact (not an answer from the
    documents, so it counts as a refusal)."""
    text = f"{message('human_contact', language)}\n\n{contact_line(language)}"
    return Answer(
        question, text, refused=True, language=language, sources=[], reason="human-contact"
    )


# --- refusal ----------------------------------------------------------------------------------

_INJECTION_PATTERNS = [
    r"\bignor\w*\b.{0,40}\b(instruction|anweisung|regel|rule|prompt|vorgabe)",
    r"\b(vergiss|forget|disregard|missachte)\w*\b.{0,40}\b(instruction|anweisung|regel|rule|"
    r"prompt|vorgabe|everything|alles)",
    r"\bsystem\s*-?\s*prompt\b",
    r"\byou are now\b|\bdu bist (jetzt|ab jetzt|nun)\b|\bab sofort bist du\b",
    r"\bDAN\b|\bjailbreak|\bdeveloper mode\b|\bentwicklermodus\b",
    r"\b(pretend|act as|tu so als|spiele die rolle|roleplay)\b",
    r"\b(erfinde|invent|make up|ausdenken)\b",
    r"önceki talimat|talimatları (yok say|unut|görmezden)|kuralları (unut|yok say)",
    r"игнорир\w*|забудь\w*\s+(все|свои|правила|инструкц)|системн\w+ (промпт|подсказ)",
    r"ігнор\w*|забудь\w*\s+(усі|всі|свої|правила|інструкц)",
    r"تجاهل|انسَ? (كل|جميع) (التعليمات|القواعد)",
    r"نادیده بگیر|دستورالعمل‌?های قبلی|قوانین(ت)? را فراموش",
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _INJECTION_PATTERNS), re.I | re.S)


def looks_like_injection(question: str) -> bool:
    """Attempts to re-program the bot are answered with a refusal, never obeyed."""
    return bool(_INJECTION.search(question))


# a citizen's question names few key terms the corpus lacks (dev files: at most 4, most
# one); the typo check compares each with the whole vocabulary (0.03 s at 150 k words
# with rapidfuzz, 0.1-0.25 s with difflib before), so a pasted text of a hundred unknown
# words (25 s with difflib) is judged by its first few
MAX_CHECKED_TERMS = 4


def uncovered_terms(result: RetrievalResult, vocabulary: set[str]) -> list[str]:
    """German key terms of the question that the corpus never uses, typos forgiven (the
    first `MAX_CHECKED_TERMS` different ones). `vocabulary`: the known words, folded
    (`Retriever.known_terms`)."""
    if not result.unknown_terms:
        return []
    missing = []
    for term in list(dict.fromkeys(result.unknown_terms))[:MAX_CHECKED_TERMS]:
        folded = fold_term(term)
        if folded in vocabulary or len(folded) < 4:
            continue
        # a typo of a known word: rapidfuzz (C++) over difflib, which took 0.26 s a term on a
        # vocabulary of 150 000 words holding the interpreter lock; rapidfuzz 0.03 s. Its ratio
        # is difflib's measure over the longest common subsequence, so it forgives at least
        # what difflib forgave (dev sets: the same refusals)
        if process.extractOne(folded, vocabulary, scorer=fuzz.ratio, score_cutoff=82):
            continue
        missing.append(term)
    return missing


NOTHING_STANDS_OUT = "nothing stands out"


def refusal_reason(
    question: str,
    result: RetrievalResult,
    vocabulary: set[str],
    min_relevance: float,
    clear_relevance: float,
) -> str | None:
    """Why the corpus cannot answer this (None: answer it).

    Thresholds come from settings, calibrated on tests/eval/questions.jsonl: below
    `min_relevance` nothing in the corpus stands out for the question; below
    `clear_relevance` a question whose key terms the corpus never uses (e.g.
    "Kindergeld") is refused too. `vocabulary`: the known words, folded
    (`Retriever.known_terms`).
    """
    if looks_like_injection(question):
        return "injection"
    if not result.hits:
        return "empty-index"
    score = relevance(result)
    if score < min_relevance:
        return f"{NOTHING_STANDS_OUT} (relevance {score:.2f})"
    missing = uncovered_terms(result, vocabulary) if score < clear_relevance else []
    if missing:
        return f"uncovered terms {missing} (relevance {score:.2f})"
    return None


# --- extractive composition -------------------------------------------------------------------
# The units of an answer are chosen in bot/answering/compose.py; here they become text and
# citations.


def select_passages(result: RetrievalResult, max_passages: int = 2) -> list[Hit]:
    """The best hit, plus a second one when it is nearly as relevant: from the same
    document, or, for a question not in German (where the best hit is less often the
    right document), from another document when the same one offers nothing close."""
    if not result.hits:
        return []
    best = result.hits[0]
    close = [
        hit
        for hit in result.hits[1:]
        if hit.dense >= best.dense - 0.015 and hit.score >= 0.8 * best.score
    ]
    same_doc = [h for h in close if h.metadata.get("source") == best.metadata.get("source")]
    extra = same_doc or (close if result.language != "de" else [])
    return [best, *extra][:max_passages]


def make_citations(
    result: RetrievalResult, used: list[Hit], max_sources: int = 3
) -> list[Citation]:
    """Numbered citations: the quoted passages first (their numbers are the answer's), then
    the originals of quoted translations, then closely related other documents."""
    citations: list[Citation] = []
    seen_docs: set[str] = set()
    best = result.hits[0].dense if result.hits else 0.0
    for hit in used:
        seen_docs.add(hit.metadata.get("source", ""))
        citations.append(_citation(hit, len(citations) + 1))
    originals = 0
    for hit in used:
        original = hit.original
        if original is not None and original.metadata.get("source", "") not in seen_docs:
            seen_docs.add(original.metadata.get("source", ""))
            citations.append(_citation(original, len(citations) + 1))
            originals += 1
    for hit in result.hits:
        source = hit.metadata.get("source", "")
        if hit in used or source in seen_docs or hit.dense < best - 0.08:
            continue
        if len(citations) - originals >= max_sources:
            break
        seen_docs.add(source)
        citations.append(_citation(hit, len(citations) + 1))
    return citations


def _citation(hit: Hit, number: int) -> Citation:
    meta = hit.metadata
    source = meta.get("source", "")
    excerpt = hit.text if len(hit.text) <= EXCERPT_CHARS else hit.text[:EXCERPT_CHARS] + " …"
    return Citation(
        number=number,
        source=source,
        title=meta.get("title", source),
        section=meta.get("section", ""),
        score=hit.dense,
        excerpt=excerpt,
        page=meta.get("page"),
        updated=meta.get("updated"),
        url=meta.get("url"),
        lang=meta.get("lang"),
        translation_of=meta.get("translation_of"),
    )


def outdated_note(hit: Hit, language: str) -> str | None:
    """For a passage of a translation older than its original: the warning, in the
    asker's language, that it may be outdated (with the original's date)."""
    original = hit.original
    if original is None:
        return None
    changed = original.metadata.get("updated")
    if not is_outdated(hit.metadata.get("updated"), changed):
        return None
    return message("translation_outdated", language, date=format_date(str(changed), language))


@dataclass
class Composed:
    """An extractive answer before it becomes an `Answer`: the units carry the evidence
    the refusal check looks at."""

    text: str
    citations: list[Citation]
    units: list[ScoredUnit]

    @property
    def best_similarity(self) -> float:
        return max((u.dense for u in self.units), default=0.0)


# measured on the district B dev split: heading lines took a median of 119 of 512 characters
# (long page titles, two blocks); with this rule 492, facts unchanged
HEADING_MAX_CHARS = 60
TELLING_SECTION_CHARS = 20
_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+")


def short_title(title: str) -> str:
    """A web page's title without the site's name after " | " or " - " ("Wohngeld |
    Stadt Siegburg" -> "Wohngeld"): the heading line of a phone answer stays short, the
    full title is in the list of sources."""
    first = _TITLE_PARTS.split(title, maxsplit=1)[0].strip()
    return first if len(first) >= 8 else title


def block_heading(meta: dict[str, Any], with_title: bool = True) -> str:
    """The heading line of one quoted block: the page's short title and the section the
    quote stands under (its deepest heading; the whole path is in the list of sources).
    A second block of the same page names its section only: the title stands above.
    A heading line that would wrap on a phone keeps a telling section alone ("Folgende
    Unterlagen sind dem WBS-Antrag beizufügen"); a short one ("Kontakt") keeps its page's
    title, without which it says nothing."""
    section = str(meta.get("section") or "").split(SECTION_SEPARATOR)[-1].strip()
    title = short_title(str(meta.get("title") or ""))
    if not section or not title:
        return section or title
    both = f"{title} › {section}"
    if not with_title or (len(both) > HEADING_MAX_CHARS and len(section) >= TELLING_SECTION_CHARS):
        return section
    return both


def _quote_note_for(meta: dict[str, Any], asker: str) -> str:
    """The preface naming a quote's true language (from the cited document's `lang`); a
    quote in the asker's language needs none."""
    quoted = base_language(str(meta.get("lang") or "de"))
    return quote_note(quoted, asker) if quoted != base_language(asker) else ""


def contact_block(
    result: RetrievalResult, store: UnitStore, vector: Any = None, note: bool = True
) -> Composed | None:
    """The first contact block (address, phone, e-mail, hours lines kept together) among
    the result's passages, alone under its heading line: the office to ask, without the
    sentences around it. None when the passages hold none. With `vector`: the block closest
    to it among those that tell how to reach someone (`tells_how_to_reach`). `note`: the line saying
    the quote is German, for a block shown on its own."""
    found = [
        (hit, unit, vec)
        for hit in result.hits
        for unit, vec in store.units([hit]).get(hit.id, [])
        if unit.kind == "contact"
    ]
    if vector is not None and found:
        query = np.asarray(vector, dtype=np.float32)
        found = [f for f in found if tells_how_to_reach(f[1].text)]
        found.sort(key=lambda f: -float(f[2] @ query))
    for hit, contact, _ in found[:1]:
        meta = hit.metadata
        german = _quote_note_for(meta, result.asker_language) if note else ""
        block = f"**{block_heading(meta)}** [1]\n{contact.text}"
        scored = ScoredUnit(contact, hit, 0, 0.0, 0.0)
        text = f"{german}\n\n{block}" if german else block
        return Composed(text, make_citations(result, [hit], max_sources=1), [scored])
    return None


def compose_extractive(
    question: str,
    result: RetrievalResult,
    stem: Any,
    store: UnitStore,
    vector: Any = None,
    weights: Weights | None = None,
    follow_up: bool = False,
    pages: frozenset[str] | None = None,
) -> Composed:
    """The units that answer the question under one heading line, with citation [1].

    `vector` is the embedding the units are compared with: the question's own (for a
    follow-up the search used the conversation's topic, the units the question itself).
    `pages`: a follow-up's answer may leave the topic's first passage only for these pages.
    """
    weights = weights or Weights()
    hits = candidate_hits(result, gap=weights.gap)
    vector = result.vector if vector is None else vector
    scored = score_units(question, vector, hits, store, stem, weights, across=follow_up)
    blocks_of_units = choose_blocks(
        scored,
        weights,
        anywhere=follow_up,
        pages=pages,
        whole_lists="list" in asks_for(question),
    )
    chosen = [unit for block in blocks_of_units for unit in block]
    if not chosen:
        return Composed("", make_citations(result, result.hits[:1]), [])
    citations = make_citations(result, [block[0].hit for block in blocks_of_units])
    asker = result.asker_language
    numbers = {c.source: c.number for c in reversed(citations)}
    blocks: list[str] = []
    titled: set[str] = set()
    # a second block of the same section (a long section is cut into several chunks) stands
    # under the first one's heading line, in document order, not under a repeated one
    sections: dict[tuple[Any, ...], tuple[int, int]] = {}  # -> block index, chunk
    for number, block in enumerate(blocks_of_units, start=1):
        hit = block[0].hit
        meta = hit.metadata
        place = (meta.get("source"), meta.get("section"), meta.get("part"), meta.get("page"))
        chunk = int(meta.get("chunk") or 0)
        if meta.get("section") and place in sections:
            index, first_chunk = sections[place]
            head, _, body = blocks[index].partition("\n")
            text = join_units([c.unit for c in block])
            parts = [body, text] if chunk >= first_chunk else [text, body]
            blocks[index] = head + "\n" + "\n".join(parts)
            continue
        heading = block_heading(meta, with_title=meta.get("source") not in titled)
        titled.add(str(meta.get("source")))
        note = _quote_note_for(meta, asker)
        if note and note not in blocks:
            blocks.append(note)
        outdated = outdated_note(hit, asker)
        if outdated:
            blocks.append(outdated)
        cited = numbers.get(meta.get("source", ""), number)
        sections[place] = (len(blocks), chunk)
        blocks.append(f"**{heading}** [{cited}]\n{join_units([c.unit for c in block])}")
    return Composed("\n\n".join(blocks), citations, chosen)
