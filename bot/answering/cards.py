"""Answer cards: staff-approved answers to the most frequent and the sensitive questions.

Some questions must not be answered by whatever passage happens to be closest: a rejected
asylum application (short deadlines), a threatened deportation, violence or a crisis (who
helps now, with phone numbers), or a request for legal advice on one's own case. For these,
staff write a card: question variants in several languages, the approved answer per
language, a source link, an owner and a `valid_until` date.

A card is one Markdown file in `corpus/_antwortkarten/` (versioned with the corpus; the
leading "_" keeps the folder out of the document index, so a card is never cut into chunks
and never competes with documents as a passage). Its format:

    ---
    title: Asylantrag abgelehnt – was jetzt?
    owner: Team Beratung
    valid_until: 2027-05-31
    source: https://www.bamf.de/
    ---
    ## Fragen                (the questions it answers, one per line, any language)
    ## Stichwörter           (optional: each line a group of terms, comma-separated)
    ## Nicht gemeint         (similar questions it must not answer; optional)
    ## Antwort (de)          (required; more: ## Antwort (en), (tr), (ar), (uk), (ru), (fa))

A card answers before any document is searched, when the citizen's question (1) contains
one term of every keyword line (as a word part, case-insensitive; folded so that Arabic and
Persian letter forms and joiners do not matter), (2) is close to one of its question variants
(cosine of e5 query vectors, `card_min_similarity`) and (3) closer to it than to every "not
meant" question of all cards by `card_min_margin`. Embeddings alone did not separate covered
questions from near misses ("Mein Einbürgerungsantrag wurde abgelehnt" is as close to "Mein
Asylantrag wurde abgelehnt" as a real paraphrase); the keywords name what a card is about.
The two numbers were calibrated on half of tests/eval/card_questions.jsonl and
card_near_miss.jsonl (scripts/calibrate_cards.py) so that no near miss gets a card. An
expired card is not used; staff see it in the staff area and in `python -m bot report`.
Every card variant must itself contain the keywords (checked when the card is read), so a
card cannot silently become unreachable.

Variant vectors are computed with the serving embedder when a card file changes and kept in
a small cache file next to the index (keyed by model and text), so a restart does not embed
them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.answering.answer import Answer, Citation
from bot.config import Settings
from bot.embeddings import BotEmbeddings, uncached
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, format_date, message
from bot.ingest.documents import DocumentError, split_front_matter
from bot.safe_html import host_allowed

log = logging.getLogger(__name__)

CARDS_DIR = "_antwortkarten"
MAX_CARD_BYTES = 64 * 1024
MAX_QUESTION_CHARS = 300
MIN_QUESTIONS = 2
CACHE_FILE = "card_vectors.npz"
REQUIRED_FIELDS = ("title", "owner", "valid_until", "source")
OPTIONAL_FIELDS = ("updated", "sample", "note")
QUESTIONS_HEADING = "fragen"
NOT_MEANT_HEADING = "nicht gemeint"
KEYWORDS_HEADING = "stichwörter"
MIN_TERM_CHARS = 3
_ANSWER_HEADING = re.compile(r"antwort\s*\(\s*([A-Za-z-]+)\s*\)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ITEM = re.compile(r"^\s*[-•*]\s*")
# Folding for the keyword check: one form per letter where writers differ (Arabic and Persian
# yeh and kaf, apostrophes, joiners and vowel signs), case-insensitive.
_FOLD = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "’": "'", "ʼ": "'", "\u200c": " ", "\u200d": ""}
)
_MARKS = re.compile(r"[\u064b-\u065f\u0640]")


class CardError(ValueError):
    """A card file staff cannot save (or the bot cannot use): every problem, in German."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AnswerCard:
    """One parsed, valid card file."""

    name: str  # file name in the cards folder, e.g. "asylantrag-abgelehnt.md"
    title: str
    owner: str
    valid_until: dt.date
    source: str
    questions: tuple[str, ...]
    answers: dict[str, str]  # language -> approved text; "de" always present
    not_meant: tuple[str, ...] = ()
    keywords: tuple[tuple[str, ...], ...] = ()  # every group needs one term in the question
    updated: str | None = None
    sample: bool = False

    @property
    def path(self) -> str:
        """The card's path relative to the corpus, as citations name documents."""
        return f"{CARDS_DIR}/{self.name}"

    def expired(self, today: dt.date | None = None) -> bool:
        """Past its `valid_until` day (the day itself still counts as valid)."""
        return self.valid_until < (today or dt.date.today())

    def mentions_keywords(self, question: str) -> bool:
        """Whether the question names one term of every keyword group (none: always)."""
        text = fold(question)
        return all(any(term in text for term in group) for group in self.keywords)

    def answer_in(self, language: str) -> tuple[str, str]:
        """(approved text, its language): the asker's language if staff wrote it, else German."""
        if language in self.answers:
            return self.answers[language], language
        return self.answers[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE


def fold(text: str) -> str:
    """Text as the keyword check compares it: NFKC, case-folded, one form per letter."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    # casefold turns the Turkish "İ" into "i" plus a combining dot: drop the dot
    return " ".join(_MARKS.sub("", text).casefold().replace("\u0307", "").split())


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _check_meta(meta: dict[str, Any], link_hosts: Iterable[str], problems: list[str]) -> None:
    unknown = sorted(str(k) for k in meta if k not in REQUIRED_FIELDS + OPTIONAL_FIELDS)
    if unknown:
        allowed = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
        problems.append(f"Unbekannter Eintrag im Kopf: {', '.join(unknown)} (erlaubt: {allowed}).")
    for key in REQUIRED_FIELDS:
        if meta.get(key) in (None, ""):
            problems.append(f"Im Kopf fehlt „{key}:“ ({_FIELD_HELP[key]}).")
    if meta.get("valid_until") not in (None, "") and _date(meta["valid_until"]) is None:
        problems.append("„valid_until:“ muss ein Datum wie 2027-05-31 sein.")
    if meta.get("updated") not in (None, "") and _date(meta["updated"]) is None:
        problems.append("„updated:“ muss ein Datum wie 2026-11-26 sein.")
    source = meta.get("source")
    hosts = tuple(link_hosts)
    if source not in (None, "") and not host_allowed(str(source), hosts):
        problems.append(
            "„source:“ muss eine Internetadresse (https://…) auf einer freigegebenen Seite sein "
            f"(freigegeben: {', '.join(hosts)})."
        )


_FIELD_HELP = {
    "title": "die Frage als Überschrift",
    "owner": "wer die Karte verantwortet",
    "valid_until": "bis wann die Antwort geprüft ist, z. B. 2027-05-31",
    "source": "die Internetadresse der Quelle",
}


_SKIP = "\0skip"


def _sections(body: str, problems: list[str]) -> dict[str, list[str]]:
    """The lines under each `## ` heading, keyed by a normalised heading name."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in _COMMENT.sub("", body).splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            heading = " ".join(line[3:].split()).lower()
            answer = _ANSWER_HEADING.fullmatch(heading)
            if answer:
                language = answer.group(1).lower()
                if language not in LANGUAGES:
                    problems.append(
                        f"„## {line[3:].strip()}“: unbekannte Sprache „{language}“ "
                        f"(möglich: {', '.join(LANGUAGES)})."
                    )
                    current = _SKIP
                    continue
                heading = f"antwort:{language}"
            elif heading not in (QUESTIONS_HEADING, NOT_MEANT_HEADING, KEYWORDS_HEADING):
                problems.append(
                    f"Unbekannter Abschnitt „## {line[3:].strip()}“ (erlaubt: „## Fragen“, "
                    "„## Nicht gemeint“, „## Stichwörter“, „## Antwort (de)“ und weitere "
                    "Sprachen)."
                )
                current = _SKIP
                continue
            if heading in sections:
                problems.append(f"Der Abschnitt „## {line[3:].strip()}“ kommt zweimal vor.")
            current = heading
            sections[current] = []
            continue
        if current == _SKIP:  # under a heading already reported
            continue
        if current is None:
            if line.strip() and not line.startswith("# "):
                problems.append(
                    f"Text außerhalb eines Abschnitts wird nicht verwendet: „{line.strip()[:60]}“."
                )
            continue
        sections[current].append(line)
    return sections


def _items(lines: list[str]) -> tuple[str, ...]:
    return tuple(
        " ".join(_ITEM.sub("", line, count=1).split()) for line in lines if line.strip(" -•*")
    )


def parse_card(text: str, name: str, link_hosts: Iterable[str]) -> AnswerCard:
    """A card from its file text; CardError lists every problem (German, for staff)."""
    problems: list[str] = []
    if len(text.encode("utf-8")) > MAX_CARD_BYTES:
        raise CardError([f"Die Karte ist zu lang (höchstens {MAX_CARD_BYTES // 1024} KB)."])
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    meta: dict[str, Any] = {}
    body = text
    if not text.startswith("---"):
        problems.append(
            "Der Kopf fehlt: Die Karte beginnt mit einer Zeile „---“, dann title:, owner:, "
            "valid_until:, source:, dann wieder „---“."
        )
    else:
        try:
            meta, body = split_front_matter(text)
        except DocumentError as exc:
            problems.append(f"Der Kopf zwischen den Zeilen „---“ ist fehlerhaft: {exc}.")
        else:
            if not meta and body == text:
                problems.append("Der Kopf ist nicht mit einer Zeile „---“ abgeschlossen.")
    _check_meta(meta, link_hosts, problems)
    sections = _sections(body, problems)
    questions = _items(sections.get(QUESTIONS_HEADING, []))
    if len(questions) < MIN_QUESTIONS:
        problems.append(
            f"Unter „## Fragen“ stehen weniger als {MIN_QUESTIONS} Fragen (eine pro Zeile, "
            "mit „- “ davor)."
        )
    long = [q for q in questions if len(q) > MAX_QUESTION_CHARS]
    if long:
        problems.append(
            f"Eine Frage ist länger als {MAX_QUESTION_CHARS} Zeichen: „{long[0][:60]} …“."
        )
    keywords = []
    for line in _items(sections.get(KEYWORDS_HEADING, [])):
        group = tuple(dict.fromkeys(fold(t) for t in line.split(",") if t.strip()))
        short = [t for t in group if len(t) < MIN_TERM_CHARS]
        if short:
            problems.append(
                f"Stichwörter müssen mindestens {MIN_TERM_CHARS} Zeichen haben: „{short[0]}“."
            )
        if group:
            keywords.append(group)
    for question in questions:
        text = fold(question)
        for group in keywords:
            if not any(term in text for term in group):
                problems.append(
                    f"Die Frage „{question[:60]}“ enthält keines der Stichwörter „"
                    f"{', '.join(group[:4])} …“: Sie würde nie beantwortet. Bitte ein Stichwort "
                    "ergänzen oder die Frage ändern."
                )
                break
    answers = {}
    for key, lines in sections.items():
        if key.startswith("antwort:"):
            answer = "\n".join(lines).strip()
            if not answer:
                problems.append(f"Der Abschnitt „## Antwort ({key[8:]})“ ist leer.")
            answers[key[8:]] = answer
    if DEFAULT_LANGUAGE not in answers:
        problems.append("Die deutsche Antwort fehlt: Abschnitt „## Antwort (de)“.")
    if problems:
        raise CardError(problems)
    updated = _date(meta.get("updated")) if meta.get("updated") else None
    valid_until = _date(meta["valid_until"])
    assert valid_until is not None
    return AnswerCard(
        name=name,
        title=" ".join(str(meta["title"]).split()),
        owner=" ".join(str(meta["owner"]).split()),
        valid_until=valid_until,
        source=str(meta["source"]).strip(),
        questions=questions,
        answers=answers,
        not_meant=_items(sections.get(NOT_MEANT_HEADING, [])),
        keywords=tuple(keywords),
        updated=updated.isoformat() if updated else None,
        sample=bool(meta.get("sample")),
    )


# --- the cards folder ---------------------------------------------------------------------------


def cards_folder(corpus_dir: Path) -> Path:
    return corpus_dir / CARDS_DIR


def card_paths(corpus_dir: Path) -> list[Path]:
    """The card files (`*.md`, not hidden), sorted by name."""
    folder = cards_folder(corpus_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith("."))


@dataclass(frozen=True)
class CardFile:
    """A card file as staff see it: the card, or why it cannot be used."""

    name: str
    card: AnswerCard | None
    error: str | None = None

    def status(self, today: dt.date | None = None) -> str:
        if self.card is None:
            return f"Fehler: {self.error}"
        if self.card.expired(today):
            return f"abgelaufen am {format_date(self.card.valid_until.isoformat(), 'de')}"
        return "gültig"


def read_card(path: Path, link_hosts: Iterable[str]) -> CardFile:
    try:
        if path.stat().st_size > MAX_CARD_BYTES:
            raise CardError([f"Die Karte ist zu lang (höchstens {MAX_CARD_BYTES // 1024} KB)."])
        card = parse_card(path.read_text(encoding="utf-8"), path.name, link_hosts)
    except CardError as exc:
        return CardFile(path.name, None, " ".join(exc.problems))
    except (OSError, UnicodeDecodeError) as exc:
        return CardFile(path.name, None, f"nicht lesbar ({type(exc).__name__})")
    return CardFile(path.name, card)


def read_cards(corpus_dir: Path, link_hosts: Iterable[str]) -> list[CardFile]:
    hosts = tuple(link_hosts)
    return [read_card(path, hosts) for path in card_paths(corpus_dir)]


def expired_cards(settings: Settings, today: dt.date | None = None) -> list[dict[str, str]]:
    """Cards past their `valid_until`: not used until staff check and extend them."""
    out = []
    for item in read_cards(settings.corpus_dir, settings.link_hosts):
        card = item.card
        if card is not None and card.expired(today):
            out.append(
                {
                    "card": card.path,
                    "title": card.title,
                    "owner": card.owner,
                    "valid_until": card.valid_until.isoformat(),
                }
            )
    return out


# --- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardMatch:
    card: AnswerCard
    similarity: float  # to the closest question variant of the card
    margin: float  # over the closest "not meant" question of any card


def _normalised(vectors: Any) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: np.ndarray = matrix / norms
    return normalised


class VectorCache:
    """Question vectors by (model, text), in memory and in one small file (optional)."""

    def __init__(self, embedder: BotEmbeddings, path: Path | None) -> None:
        self.embedder = embedder
        self.path = path
        self._vectors: dict[str, np.ndarray] = {}
        self._loaded = False

    def _key(self, text: str) -> str:
        ident = f"{self.embedder.model_id}\0{self.embedder.backend}\0{text}"
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()

    def _load(self) -> None:
        self._loaded = True
        if self.path is None or not self.path.is_file():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
            self._vectors = {str(k): v for k, v in zip(keys, vectors, strict=True)}
        except (OSError, ValueError, KeyError) as exc:
            log.warning("answer card vector cache not readable, embedding again: %s", exc)

    def _save(self) -> None:
        if self.path is None or not self._vectors:
            return
        keys = sorted(self._vectors)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as out:
                np.savez(
                    out, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys])
                )
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only index folder: vectors stay in memory
            log.warning("answer card vectors not cached: %s", exc)
            tmp.unlink(missing_ok=True)

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Normalised query vectors of `texts` (rows in order); only new texts are embedded."""
        if not self._loaded:
            self._load()
        keys = [self._key(t) for t in texts]
        missing = [t for t, k in zip(texts, keys, strict=True) if k not in self._vectors]
        if missing:
            fresh = _normalised([self.embedder.embed_query(t) for t in missing])
            for text, vector in zip(missing, fresh, strict=True):
                self._vectors[self._key(text)] = vector
            wanted = set(keys)
            self._vectors = {k: v for k, v in self._vectors.items() if k in wanted}
            self._save()
        if not keys:
            return np.zeros((0, self.embedder.dimension or 1), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])


@dataclass
class _Loaded:
    signature: tuple[tuple[str, int, int], ...] = ()
    cards: list[AnswerCard] = field(default_factory=list)
    questions: list[np.ndarray] = field(default_factory=list)  # per card
    not_meant: np.ndarray | None = None  # all cards' "not meant" questions


class AnswerCards:
    """The cards folder, re-read when a file changes, and the matcher over it."""

    def __init__(
        self,
        settings: Settings,
        embedder: BotEmbeddings,
        today: Any = dt.date.today,
    ) -> None:
        self.settings = settings
        self.corpus_dir = settings.corpus_dir
        self.threshold = settings.card_min_similarity
        self.margin = settings.card_min_margin
        self.link_hosts = tuple(settings.link_hosts)
        self.today = today
        # phrasings are embedded once and cached on disk: not through the question cache
        self._cache = VectorCache(uncached(embedder), settings.index_dir / CACHE_FILE)
        self._embedder = embedder
        self._lock = threading.Lock()
        self._loaded = _Loaded()

    def _signature(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for path in card_paths(self.corpus_dir):
            try:
                stat = path.stat()
            except OSError:
                continue
            out.append((path.name, stat.st_mtime_ns, stat.st_size))
        return tuple(out)

    def _current(self) -> _Loaded:
        """The cards as the files are now; parsed and embedded again only after a change."""
        signature = self._signature()
        if signature == self._loaded.signature:
            return self._loaded
        with self._lock:
            if signature == self._loaded.signature:
                return self._loaded
            files = read_cards(self.corpus_dir, self.link_hosts)
            for item in files:
                if item.card is None:
                    log.warning("answer card %s not used: %s", item.name, item.error)
            cards = [item.card for item in files if item.card is not None]
            texts = [q for card in cards for q in card.questions]
            negatives = [q for card in cards for q in card.not_meant]
            vectors = self._cache.vectors(texts + negatives)
            questions, start = [], 0
            for card in cards:
                questions.append(vectors[start : start + len(card.questions)])
                start += len(card.questions)
            not_meant = vectors[start:] if negatives else None
            self._loaded = _Loaded(signature, cards, questions, not_meant)
            return self._loaded

    def cards(self) -> list[AnswerCard]:
        """The valid cards, expired ones included (see `usable`)."""
        return list(self._current().cards)

    def scores(self, vector: Any, question: str | None = None) -> list[CardMatch]:
        """Every usable card (valid, not expired and, when `question` is given, whose
        keywords the question names) scored against a question vector, best first."""
        loaded = self._current()
        query = _normalised(vector)[0]
        negative = -1.0
        if loaded.not_meant is not None and len(loaded.not_meant):
            negative = float((loaded.not_meant @ query).max())
        today = self.today()
        out = []
        for card, matrix in zip(loaded.cards, loaded.questions, strict=True):
            if card.expired(today) or not len(matrix):
                continue
            if question is not None and not card.mentions_keywords(question):
                continue
            best = float((matrix @ query).max())
            out.append(CardMatch(card, best, best - negative))
        return sorted(out, key=lambda m: -m.similarity)

    def accepts(self, match: CardMatch) -> bool:
        return match.similarity >= self.threshold and match.margin >= self.margin

    def match(self, question: str) -> CardMatch | None:
        """The card that answers `question`, or None (then the documents are searched)."""
        today = self.today()
        if not any(
            not card.expired(today) and card.mentions_keywords(question)
            for card in self._current().cards
        ):
            return None  # no card in question: not embedded a second time (retrieval does)
        scored = self.scores(self._embedder.embed_query(question), question)
        if scored and self.accepts(scored[0]):
            return scored[0]
        return None

    def answer(self, question: str, language: str, started: float | None = None) -> Answer | None:
        """The card's answer to `question`, or None. `started` (perf_counter) sets `seconds`."""
        found = self.match(question)
        if found is None:
            return None
        answer = card_answer(question, language, found)
        if started is not None:
            answer.seconds = time.perf_counter() - started
        log.info("answered from card %s (similarity %.3f)", found.card.name, found.similarity)
        return answer


def card_answer(question: str, language: str, found: CardMatch) -> Answer:
    """The approved text in the asker's language (German when staff wrote none), under the
    "approved answer, valid until" line; the card is the one numbered source, with its link."""
    card = found.card
    text, shown = card.answer_in(language)
    until = format_date(card.valid_until.isoformat(), language)
    parts = [f"**{message('card_marker', language, date=until)}**"]
    if shown != language and message("card_german_only", language):
        parts.append(message("card_german_only", language))
    parts.append(text)
    cite = Citation(
        number=1,
        source=card.path,
        title=card.title,
        section="",
        score=found.similarity,
        excerpt=card.answers[DEFAULT_LANGUAGE],
        updated=card.updated,
        url=card.source,
    )
    return Answer(
        question,
        "\n\n".join(parts),
        refused=False,
        language=language,
        sources=[cite],
        mode="card",
    )
