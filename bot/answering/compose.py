"""The extractive answer: the one to three units of the best passages that answer.

    question -> retrieval (passages) -> units of the top passages (precomputed vectors)
             -> score each unit: meaning (e5) + shared words + what the question asks for
             -> best unit, its list or introduction, a close second from the same passage
             -> one heading line, the units in document order, one citation

Why not simply the passage: a 900-character passage under a bold heading is a collage
to read on a phone and hides the one sentence that answers. Why not similarity alone:
measured on the dev split, the sentence most similar to the question is often a
neighbour of the answer ("Der Test hat 33 Fragen." for "wie viele muss ich richtig
haben"); what the question asks for (an amount, a time, a place, a list of papers),
shared words and the passage's rank decide between close candidates.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.answering.retrieval import Hit, RetrievalResult, similarities
from bot.embeddings import BotEmbeddings
from bot.ingest.units import Unit, split_units, unit_context
from bot.store.base import VectorStore

MAX_ANSWER_CHARS = 450
CANDIDATE_PASSAGES = 3


@dataclass(frozen=True)
class Weights:
    """How a unit's score is made; tuned on tests/eval/dev.jsonl only (see
    docs/evaluation.md), reported on the test split and the citizen set."""

    lexical: float = 0.08  # share of the question's stems the unit contains
    same_number: float = 0.05  # the unit names a number the question names ("45000")
    answer_type: float = 0.05  # the unit holds what the question asks for
    passage_rank: float = 0.012  # per rank of the passage below the best
    second_gap: float = 0.03  # a second unit joins when this close to the best
    short_unit: int = 70  # a unit this short takes its follower along
    long_unit: float = 0.02  # per 500 characters beyond 200: long lists match everything a bit
    gap: float = 0.05  # passages this much less similar than the best still offer units
    # neighbours join the chosen units up to this many characters. 400 -> 360 (dev halves):
    # median 468.5 -> 439 (district B dev), 475.5 -> 438 (its round 2 dev), facts unchanged
    # there and on sample round 2 dev; sample dev facts 0.894 -> 0.851 (2 of 46)
    fill: int = 360
    cross_gap: float = 0.03  # a unit of another passage this close to the best: second block
    cross_budget: int = 160  # characters the second block may take from `fill`
    # a second block from another page must come this close: a neighbouring page's sentence
    # that merely shares the question's words ("pro Monat" of the health insurance fee under
    # "Was kostet die Kita im Monat?") is noise. Dev splits: district B facts 0.627 -> 0.647,
    # median 492 -> 487; sample dev facts 0.872 both, median 363 -> 338
    cross_gap_page: float = 0.01
    hub: float = 0.5  # penalty per cosine to the corpus centroid (generic topic sentences)
    # a follow-up's answer leaves the topic's first passage for a unit of another that
    # scores this much better ("how long does it take" after the fee: 0.087 better in the
    # processing-time passage; "and for children?": the school duty, only 0.020 better);
    # dev conversations: 0.0-0.03 best (follow-up recall@1 0.632; 0.579 from 0.04 on)
    follow_switch: float = 0.03
    # a chosen sentence referring back brings the one before (district B dev facts: 0.588
    # without, the same with references at the start only, 0.608 with `leans_back`)
    lean_back: bool = True


@dataclass
class ScoredUnit:
    unit: Unit
    hit: Hit
    rank: int  # rank of its passage among the candidates
    dense: float
    score: float


# --- what the question asks for ----------------------------------------------------------------

_ASKS = {
    "amount": re.compile(
        r"kost|gebühr|preis|wie ?viel|bezahl|zahl|euro|geld|cost|fee|price|how much|pay|"
        r"ücret|para|ne kadar|tutar|تكلف|رسوم|كم|سعر|скільки|кошту|вартіст|плат|сколько|"
        r"стои|стоимост|هزینه|چقدر|قیمت|پول",
        re.I,
    ),
    "time": re.compile(
        r"\bwann\b|wie lange|dauer|frist|bis wann|wie schnell|uhrzeit|geöffnet|offen|"
        r"öffnungszeit|sprechzeit|when|how long|deadline|open|ne zaman|ne kadar sür|süre|"
        r"متى|مدة|كم من الوقت|коли|скільки часу|термін|когда|сколько времени|срок|"
        r"کی |چه مدت|چقدر طول|مهلت",
        re.I,
    ),
    "contact": re.compile(
        # whole words where a longer word holds them: "Steuernummer", "called", "anywhere",
        # Russian "в городе", "нигде"
        r"telefon|anruf|\bnummer|e-?mail|erreich|kontakt|adresse|\bwo\b|wohin|\bphone|\bcall\b|"
        r"address|\bwhere\b|contact|nerede|adres|iletişim|أين|هاتف|عنوان|اتصال|\bде\b|телефон|"
        r"адрес|\bгде\b|контакт|کجا|تلفن|آدرس|تماس|"
        # who helps, where to turn: the office is the answer (the short Arabic and Persian
        # words as whole words: "وين" stands in "تكوين", "فين" in "الموظفين")
        r"zuständig|an wen|wer hilft|wer kann (?:mir )?helfen|bei wem|who do i|who is "
        r"responsible|who can help|kime|nereye başvur|kim yardım|\bلمين\b|مين بساعد|"
        r"إلى من\b|\bل?وين\b|\bفين\b|куда|обратит|звернут|куди|хто допоможе|кто поможет|"
        r"به کی\b|مراجعه|کی کمک",
        re.I,
    ),
    "list": re.compile(
        r"unterlagen|dokumente|papiere|mitbringen|voraussetzung|bedingung|documents|papers|"
        r"requirement|bring|belge|evrak|şart|وثائق|مستندات|شروط|документ|умов|услови|مدارک|"
        r"شرایط",
        re.I,
    ),
}
# what an answering unit holds: in German, and in the languages of translated pages (a
# Ukrainian cost section's "курс безкоштовний" holds the amount as "kostenlos" does)
_HAS = {
    "amount": re.compile(
        r"\d[\d.,]*\s*(?:euro|€|eur\b|prozent|%|євро|евро|يورو|یورو)|kostenlos|gebührenfrei|"
        r"gratis|umsonst|übernimmt|übernehmen|bezahlt|zahlt|gebühr|free of charge|\bfees?\b|"
        r"\bcosts?\b|ücretsiz|ücret|masraf|безкоштовн|бесплатн|сплачу|оплачу|платн|вартіст|"
        r"стоимост|مجان|رسوم|تكلف|رایگان|هزینه",
        re.I,
    ),
    "time": re.compile(
        r"\d+\s*(?:tage|tagen|wochen|monate|monaten|jahre|jahren|stunden|unterrichtseinheiten|"
        r"uhr|minuten)|\buhr\b|montag|dienstag|mittwoch|donnerstag|freitag|samstag|\bmo\b|"
        r"\bfr\b|wochen|monat|jahr|vor dem|rechtzeitig|sofort|frist|"
        r"\d+\s*(?:days?|weeks?|months?|years?|hours?|gün|hafta|ay\b|yıl|saat|дн|тиж|місяц|"
        r"рок|годин|недел|месяц|год|лет|час|يوم|أيام|أسبوع|أسابيع|شهر|أشهر|سنة|سنوات|ساعة|"
        r"روز|هفته|ماه|سال|ساعت)|monday|tuesday|wednesday|thursday|friday|pazartesi|salı|"
        r"çarşamba|perşembe|cuma\b|понеділ|вівтор|четвер|п'ятниц|понедельн|вторник|четверг|"
        r"пятниц|الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|دوشنبه|سه‌شنبه|چهارشنبه|پنجشنبه|جمعه",
        re.I,
    ),
}


_NUMBER = re.compile(r"\d{1,3}(?:[.\s]\d{3})+(?!\d)|\d+")


def _numbers(text: str) -> set[str]:
    """The numbers of a text with their thousands separators dropped ("45.000" = "45000"):
    a unit naming the number the question names ("bei 45000 brutto") is the row it asks
    for. Single digits and years say too little."""
    found = {re.sub(r"[.\s]", "", n) for n in _NUMBER.findall(text)}
    return {n for n in found if len(n) >= 2 and not (len(n) == 4 and n[:2] in {"19", "20"})}


def asks_for(question: str) -> set[str]:
    """What kind of answer a question wants, in any of the supported languages."""
    kinds = {kind for kind, pattern in _ASKS.items() if pattern.search(question)}
    if "time" in kinds:  # "كم من الوقت", "скільки часу": how much *time*
        kinds.discard("amount")
    return kinds


# a sentence naming the office in charge answers "who helps?" as a contact block does
_OFFICE_POINTER = re.compile(
    r"zuständig|wenden sie sich|melden sie sich bei|"
    r"beantragen sie (?:ihn |sie |es )?(?:bei|beim|im)|"
    # German puts the verb last: "... eine Zeugnisbewertung bei der ZAB beantragen"
    r"\b(?:bei|beim) (?:der|dem|den|einer|einem|ihrer|ihrem)?\b.{0,80}\b"
    r"(?:beantragen|einreichen|stellen|anmelden)\b|"
    r"ansprechpartner|anlaufstelle|apply to|contact the|responsible",
    re.I,
)


def holds(unit: Unit, kind: str) -> bool:
    if kind == "contact":
        return unit.kind == "contact" or (
            unit.kind == "sentence" and bool(_OFFICE_POINTER.search(unit.text))
        )
    if kind == "list":
        return unit.kind in {"list", "item"}
    pattern = _HAS.get(kind)
    return bool(pattern and pattern.search(unit.text))


# --- unit vectors -------------------------------------------------------------------------------


class UnitStore:
    """Units and their vectors for the chunks of one index generation.

    Built at index time (indexing/build.py embeds every chunk's units); an index from before that
    has no units collection, and then units are split and embedded on first use and kept
    in a bounded cache.
    """

    def __init__(
        self,
        collection: VectorStore | None,
        embedder: BotEmbeddings,
        cache_size: int = 4096,
        centroid: Any = None,
    ) -> None:
        self.collection = collection
        # the mean direction of all units (stored in the manifest at index time): a unit close
        # to it says what the whole corpus is about and answers no particular question
        self.centroid = None if centroid is None else _normed(centroid)
        self.embedder = embedder
        self._cache: OrderedDict[str, list[tuple[Unit, np.ndarray]]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def units(self, hits: list[Hit]) -> dict[str, list[tuple[Unit, np.ndarray]]]:
        wanted = [h.id for h in hits]
        out: dict[str, list[tuple[Unit, np.ndarray]]] = {}
        with self._lock:
            for cid in wanted:
                if cid in self._cache:
                    self._cache.move_to_end(cid)
                    out[cid] = self._cache[cid]
        missing = [h for h in hits if h.id not in out]
        if missing:
            fetched = self._fetch(missing)
            with self._lock:
                for cid, items in fetched.items():
                    out[cid] = self._cache[cid] = items
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def _fetch(self, hits: list[Hit]) -> dict[str, list[tuple[Unit, np.ndarray]]]:
        found: dict[str, list[tuple[Unit, np.ndarray]]] = {h.id: [] for h in hits}
        if self.collection is not None:
            records = self.collection.get(where={"chunk": [h.id for h in hits]}, with_vectors=True)
            for record in records:
                meta = record.metadata
                unit = Unit(record.text, str(meta["kind"]), int(meta["pos"]), int(meta["group"]))
                found[str(meta["chunk"])].append((unit, _normed(record.vector)))
        todo = [h for h in hits if not found[h.id]]
        if todo:  # an index without units (built before them), or a chunk with none stored
            pieces = [(h, u) for h in todo for u in split_units(h.text)]
            if pieces:
                vectors = self.embedder.embed_documents(
                    [f"{unit_context(h.metadata)}: {u.text}" for h, u in pieces]
                )
                for (hit, unit), vector in zip(pieces, vectors, strict=True):
                    found[hit.id].append((unit, _normed(vector)))
        for items in found.values():
            items.sort(key=lambda item: item[0].position)
        return found


def _normed(vector: Any) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array)) or 1.0
    return array / norm


# --- choosing the units ---------------------------------------------------------------------


def candidate_hits(
    result: RetrievalResult, limit: int = CANDIDATE_PASSAGES, gap: float = 0.05
) -> list[Hit]:
    """The passages whose units may answer: the top ones that are nearly as close as the
    best (a far weaker passage only adds wrong candidates)."""
    if not result.hits:
        return []
    best = _ranked_similarity(result.hits[0])
    return [
        h
        for i, h in enumerate(result.hits[:limit])
        if i == 0 or _ranked_similarity(h) >= best - gap
    ]


def _ranked_similarity(hit: Hit) -> float:
    """The similarity the passage was ranked by: a translation's passage stands in for its
    original, and the question is closer to text in its own language than to German text
    (a Ukrainian fee passage at 0.90 hid the German processing-time passage at 0.82)."""
    return hit.original.dense if hit.original is not None else hit.dense


def _quotable(unit: Unit) -> bool:
    """Never quote a fragment (a chunk split inside a sentence starts in lower case), and
    never answer with a question (FAQ and PDF headings: "Wann muss ich ...?")."""
    text = unit.text.strip()
    first = text[:1]
    if not first or first.islower() or first in ",;.)]":
        return False
    return not (unit.kind == "sentence" and text.endswith("?"))


_CONTINUES = re.compile(
    r"^(?:Sie|Er|Es|Das|Dies\w*|Diese\w*|Dafür|Dabei|Dann|Damit|Danach|Dort|Hier|Deshalb|"
    r"Daher|So|Außerdem|Auch|Allerdings|Aber|Dazu)\b"
)


_LEANS_BACK = re.compile(r"^\W*(?:\w+\W+){0,6}?(?:danach|davor|dafür|dorthin|ebenfalls)\b", re.I)


def leans_back(unit: Unit) -> bool:
    """A sentence that needs the one before it: it starts with a reference back, or names
    one among its first words ("Für Personen, die danach eingereist sind")."""
    return continues(unit) or (unit.kind == "sentence" and bool(_LEANS_BACK.match(unit.text)))


def continues(unit: Unit) -> bool:
    """A sentence that leans on the one before it ("Sie bestätigt, dass ...")."""
    return unit.kind == "sentence" and bool(_CONTINUES.match(unit.text))


def score_units(
    question: str,
    vector: np.ndarray,
    hits: list[Hit],
    store: UnitStore,
    stems: Any,
    weights: Weights,
    across: bool = False,
) -> list[ScoredUnit]:
    """Every quotable unit of the candidate passages with its score, best first.
    `across`: the scores are compared across passages to choose the anchor."""
    units = store.units(hits)
    terms = set(stems(question))
    numbers = _numbers(question)
    kinds = asks_for(question)
    scored: list[ScoredUnit] = []
    vector = _normed(vector)
    centroid = store.centroid
    for rank, hit in enumerate(hits):
        items = [(u, v) for u, v in units.get(hit.id, []) if _quotable(u)]
        if not items:
            continue
        dense = similarities(np.vstack([v for _, v in items]), vector)
        # a translation's units are compared in the asker's language, German ones across
        # languages: when passages compete (a follow-up), take off what its passage gained
        # over the original's (measured: as a second block it brought unrelated German
        # passages into translated answers, so only there)
        bias = hit.dense - _ranked_similarity(hit) if across else 0.0
        for (unit, unit_vector), sim in zip(items, dense, strict=True):
            score = float(sim) - bias - weights.passage_rank * rank
            if centroid is not None:
                score -= weights.hub * float(unit_vector @ centroid)
            score -= weights.long_unit * max(0, len(unit.text) - 200) / 500
            if terms:
                shared = len(terms & set(stems(unit.text)))
                score += weights.lexical * shared / len(terms)
            if numbers and numbers & _numbers(unit.text):
                score += weights.same_number
            if any(holds(unit, kind) for kind in kinds):
                score += weights.answer_type
            scored.append(ScoredUnit(unit, hit, rank, float(sim), score))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


def choose_units(scored: list[ScoredUnit], weights: Weights) -> list[ScoredUnit]:
    """All chosen units, block by block (see `choose_blocks`)."""
    return [unit for block in choose_blocks(scored, weights) for unit in block]


def choose_blocks(
    scored: list[ScoredUnit],
    weights: Weights,
    anywhere: bool = False,
    whole_lists: bool = True,
    pages: frozenset[str] | None = None,
) -> list[list[ScoredUnit]]:
    """The best unit with what belongs to it and its neighbours, in document order; plus,
    when a unit of another passage scores nearly as well, that unit as a second block.

    Why a second block: the embedder separates the right passage from a close neighbour
    poorly (dev split: the answering passage is in the top three for 0.95 of the questions,
    first for 0.85); a second short block keeps the fact in view at a small cost in length.
    """
    if not scored:
        return []
    # the answer stays in the passage the search ranked first (it weighs the whole passage
    # with its headings and, for German, the exact words); units only choose within it.
    # `anywhere` (a follow-up): the conversation's topic found the passages, and the
    # follow-up's own words decide which of them answers ("how long" after "what does it
    # cost": the processing-time passage, not the fee passage the topic ranks first)
    top = min(s.rank for s in scored)
    best = next(s for s in scored if s.rank == top)
    if anywhere:
        # only to a page of the conversation (`pages`): "kostet das was?" after the Kita
        # must not switch to the naturalisation fee the topic search also brought
        switch = next(
            (s for s in scored if pages is None or s.hit.metadata.get("source") in pages), best
        )
        if switch.score >= best.score + weights.follow_switch:
            best = switch
    other = next((s for s in scored if _second_block_for(s, best, weights)), None)
    blocks: list[list[ScoredUnit]] = []
    second: list[ScoredUnit] = []
    if other is not None:
        second = _pick(
            other, scored, weights, weights.cross_budget, fill=False, whole_lists=whole_lists
        )
    used = sum(len(s.unit.text) for s in second)
    budget = max(weights.fill - used, 0)
    blocks.append(_pick(best, scored, weights, budget, fill=True, whole_lists=whole_lists))
    if second:
        blocks.append(second)
    return blocks


def _second_block_for(unit: ScoredUnit, best: ScoredUnit, weights: Weights) -> bool:
    """Whether a unit of another passage scores close enough to the anchor to be quoted as
    a second block: closer still when it comes from another page."""
    if unit.hit.id == best.hit.id:
        return False
    same_page = unit.hit.metadata.get("source") == best.hit.metadata.get("source")
    gap = weights.cross_gap if same_page else weights.cross_gap_page
    return unit.score >= best.score - gap


class _Passage:
    """The scored units of one passage by position: what a chosen unit brings along and
    whether it still fits the budget (shared by choosing and filling)."""

    def __init__(self, units: list[ScoredUnit], whole_lists: bool = True) -> None:
        self.by_position = {s.unit.position: s for s in units}
        self.whole_lists = whole_lists

    def chars(self, positions: set[int]) -> int:
        return sum(len(self.by_position[p].unit.text) for p in positions)

    def group(self, position: int) -> set[int]:
        """An introduction and its list are one answer ("folgende Unterlagen:" + items).
        One item of a long list (offered item by item) brings the whole list only when
        the question asks for a list ("Welche Unterlagen?"); else its introduction only
        ("Welches Deutschniveau?" -> "Sie können eingebürgert werden, wenn Sie" + item 4)."""
        unit = self.by_position[position].unit
        if unit.group < 0:
            return {position}
        members = {p for p, s in self.by_position.items() if s.unit.group == unit.group}
        if unit.kind == "item" and not self.whole_lists:
            return {p for p in members if self.by_position[p].unit.kind != "item"} | {position}
        return members

    def add_if_fits(self, chosen: set[int], position: int, budget: int) -> bool:
        """Add the unit at `position` with its group when all of it fits `budget`."""
        extra = self.group(position) - chosen
        if self.chars(chosen) + self.chars(extra) > budget:
            return False
        chosen |= extra
        return True


def _pick(
    anchor: ScoredUnit,
    scored: list[ScoredUnit],
    weights: Weights,
    budget: int,
    fill: bool,
    whole_lists: bool = True,
) -> list[ScoredUnit]:
    """The anchor unit of one passage, its list or introduction, a short follower, a close
    second unit, and (with `fill`) its neighbours up to `budget` characters."""
    same = [s for s in scored if s.hit.id == anchor.hit.id]
    passage = _Passage(same, whole_lists)
    chosen = passage.group(anchor.unit.position) | {anchor.unit.position}
    limit = max(budget, len(anchor.unit.text))
    # a short unit, or one announcing more, takes the next one along
    follower = passage.by_position.get(anchor.unit.position + 1)
    if follower and (
        len(anchor.unit.text) < weights.short_unit
        or anchor.unit.text.rstrip().endswith(":")
        or continues(follower.unit)
    ):
        if passage.chars(chosen) + len(follower.unit.text) <= max(limit, MAX_ANSWER_CHARS // 2):
            chosen.add(follower.unit.position)
    # a unit that leans on the one before it ("Für Personen, die danach eingereist sind")
    # takes that one along: alone it answers nothing
    before = passage.by_position.get(anchor.unit.position - 1)
    if weights.lean_back and before and before.unit.kind == "sentence" and leans_back(anchor.unit):
        if passage.chars(chosen) + len(before.unit.text) <= max(limit, MAX_ANSWER_CHARS):
            chosen |= passage.group(before.unit.position) | {before.unit.position}
    if fill:
        # a second answering unit of the same passage, when nearly as good
        for other in same:
            if len(chosen) >= 3 or other.score < anchor.score - weights.second_gap:
                break
            if other.unit.position not in chosen:
                passage.add_if_fits(chosen, other.unit.position, limit)
        _fill(chosen, passage, limit)
    return [passage.by_position[p] for p in sorted(chosen)]


def _fill(chosen: set[int], passage: _Passage, budget: int) -> None:
    """Grow the answer with its neighbours in the passage up to `budget` characters: the
    detail that answers often sits next to the sentence most like the question (measured
    on the dev split: the 1-3 best units alone missed the fact in a fifth of the answers).
    Gaps between chosen units are closed first, then the better-scored neighbour joins."""
    by_position = passage.by_position
    for position in range(min(chosen), max(chosen)):
        if position not in chosen and position in by_position:
            passage.add_if_fits(chosen, position, budget)
    while True:
        low, high = min(chosen), max(chosen)
        options = [p for p in (high + 1, low - 1) if p in by_position]
        options.sort(key=lambda p: by_position[p].score, reverse=True)
        if not any(passage.add_if_fits(chosen, p, budget) for p in options):
            return


def _shared_header(first: str, second: str) -> str:
    """The header lines (header row and rule, with the line break after them) that two
    quoted table rows share, or "" ."""
    head = second.split("\n")
    if len(head) != 3:
        return ""
    if first == head[0]:  # the header row itself was quoted: keep the rule under it
        return f"{head[0]}\n"
    shared = f"{head[0]}\n{head[1]}\n"
    return shared if first.startswith(shared) else ""


def join_units(units: list[Unit]) -> str:
    """Sentences of one paragraph on one line; lists, contact blocks and rows on their own."""
    lines: list[str] = []
    previous: Unit | None = None
    for unit in units:
        adjacent = previous is not None and unit.position == previous.position + 1
        if previous is not None and unit.kind == previous.kind == "row":
            shared = _shared_header(previous.text, unit.text)
            if shared:  # rows of one table: its header once
                lines.append(unit.text[len(shared) :])
                previous = unit
                continue
        if (
            lines
            and unit.kind == "sentence"
            and previous is not None
            and previous.kind == "sentence"
        ):
            lines[-1] += " " + unit.text if adjacent else " … " + unit.text
        else:
            lines.append(unit.text)
        previous = unit
    return "\n".join(lines)
