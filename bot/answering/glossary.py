"""The German words of a question asked in another language, from a domain glossary.

The documents are German; a question in Farsi or Russian shares no word with them, so
German BM25 cannot help it and the multilingual embedder alone has to carry it across
languages, which it does weakly for this domain ("натурализация" placed the page on the
recognition of qualifications above the one on naturalisation). `bot/data/glossary.txt`
lists the words citizens use for each topic of integration services in English, Turkish,
Arabic, Ukrainian, Russian and Farsi with the German terms the documents use; retrieval
looks those German terms up for a question in another language (see
`FusionWeights.glossary_bm25`).

Matching is by word prefixes ("гражданств*" for every case of "гражданство"), because
Snowball has no Ukrainian stemmer; the folding below makes spelling variants meet: case,
accents and Turkish dotless i, Arabic hamza forms and short vowels, the Arabic and Persian
forms of ya and kaf, ta marbuta, the Persian zero-width non-joiner, and Arabic words with
and without the article and the attached conjunctions and prepositions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.i18n import base_language
from bot.indexing.background import data_lines

MIN_PREFIX = 3  # a shorter prefix matches too many unrelated words
GERMAN_AS_PREFIX = 5  # a German term this long also matches as written in a foreign question

# Unicode letters folded to one form (after NFKD has split off accents and hamzas).
_FOLD = str.maketrans(
    {
        "ı": "i",  # Turkish dotless i ("vatandaşlık" typed as "vatandaslik")
        "ى": "ی",  # alef maksura, Arabic ya and Persian ya
        "ي": "ی",
        "ك": "ک",  # Arabic and Persian kaf
        "ة": "ه",  # ta marbuta
        "\u0640": None,  # tatweel
        "\u200c": None,  # zero-width non-joiner: "کلاس‌ها" is "کلاسها"
        "\u200d": None,
        "'": None,  # apostrophes inside words: Ukrainian "зв'язок", Turkish "B1'i"
        "\u2019": None,
        "\u02bc": None,
    }
)
_WORD = re.compile(r"\w+")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Arabic clitics written together with the next word, longest first: "والإقامة" -> "اقامه"
_ARABIC_PREFIXES = (
    "وبال",
    "فبال",
    "وال",
    "فال",
    "بال",
    "کال",
    "ولل",
    "ال",
    "لل",
    "و",
    "ف",
    "ب",
    "ل",
    "ک",
)


# the spoken present of Levantine and Egyptian Arabic: "b" before the verb's own prefix
# ("بيضربني" he beats me, "بتنفع" it is valid, "بندفع" we pay); at least three letters stay,
# so Persian "بیمه" (insurance) keeps its meaning
_SPOKEN_PRESENT = ("بي", "بت", "بن")
MIN_VERB_LETTERS = 3


@lru_cache(maxsize=1)
def _spoken_present() -> tuple[str, ...]:
    return tuple(fold(prefix) for prefix in _SPOKEN_PRESENT)


def fold(text: str) -> str:
    """Lower case without accents, Arabic short vowels or hamza seats, one form of each
    letter that Arabic and Persian write differently."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", bare).translate(_FOLD)


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text))


def variants(word: str) -> set[str]:
    """A folded word and, for an Arabic-script word, its forms without attached clitics
    (at least two letters must remain)."""
    out = {word}
    if _ARABIC.match(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                out.add(word[len(prefix) :])
        for prefix in _spoken_present():
            if word.startswith(prefix) and len(word) - len(prefix) >= MIN_VERB_LETTERS:
                out.add(word[len(prefix) :])
    return out


@dataclass(frozen=True)
class Pattern:
    """One word of a term: the word itself, or (`prefix`) every word beginning with it."""

    text: str
    prefix: bool

    def matches(self, word: str) -> bool:
        return word.startswith(self.text) if self.prefix else word == self.text


@dataclass(frozen=True)
class Concept:
    german: tuple[str, ...]  # the documents' terms
    terms: tuple[tuple[Pattern, ...], ...]  # each term: all its words must occur
    aspect: bool = False  # what is asked of a topic (costs, documents), not a topic
    tags: tuple[str, ...] = ()  # the language tag of each term ("" when not known)

    def named_in(
        self, question_words: Iterable[set[str]], languages: frozenset[str] | None = None
    ) -> bool:
        """Whether the question names the concept; with `languages`, by the terms of those
        languages only (English "rent*" must not find "Miete" in the German "Rente")."""
        forms = list(question_words)
        tags = self.tags or ("",) * len(self.terms)
        return any(
            all(any(p.matches(w) for form in forms for w in form) for p in term)
            for term, tag in zip(self.terms, tags, strict=True)
            if languages is None or not tag or tag in languages
        )


def _patterns(term: str) -> tuple[Pattern, ...]:
    out = []
    for raw in term.split():
        prefix = raw.endswith("*")
        for text in words(raw.rstrip("*")):
            if prefix and len(text) < MIN_PREFIX:
                raise ValueError(f"glossary: prefix shorter than {MIN_PREFIX} letters: {term!r}")
            out.append(Pattern(text, prefix))
    return tuple(out)


def parse_line(line: str) -> Concept:
    """One concept: "de: Einbürgerung | ru: гражданств*, натурализац* | ..." (format in
    the data file's header)."""
    german: tuple[str, ...] = ()
    terms: dict[tuple[Pattern, ...], str] = {}  # term -> the first language that writes it
    aspect = False
    for field in line.split("|"):
        tag, sep, body = field.partition(":")
        if not sep and tag.strip() == "aspect":
            aspect = True
            continue
        if not sep:
            raise ValueError(f"glossary: field without a language tag: {field.strip()!r}")
        items = [item.strip() for item in body.split(",") if item.strip()]
        if tag.strip() == "de":
            german = tuple(items)
            # a German term typed into a foreign question ("Jobcenter", "Aufenthaltstitel")
            items = [i for i in items if " " not in i and "-" not in i]
            items = [f"{i}*" if len(i) >= GERMAN_AS_PREFIX else i for i in items if len(i) > 3]
        for patterns in map(_patterns, items):
            if patterns:
                terms.setdefault(patterns, tag.strip())
    if not german:
        raise ValueError(f"glossary: concept without German terms: {line[:60]!r}")
    return Concept(german, tuple(terms), aspect, tuple(terms.values()))


class Glossary:
    """Concepts, with an index from a word's first letters to the terms that may match it,
    so that a question is checked against a few dozen terms, not all of them."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = tuple(concepts)
        self._exact: dict[str, set[int]] = {}
        self._prefixes: dict[str, set[int]] = {}
        for number, concept in enumerate(self.concepts):
            for term in concept.terms:
                first = term[0]
                if first.prefix:
                    self._prefixes.setdefault(first.text[:MIN_PREFIX], set()).add(number)
                else:
                    self._exact.setdefault(first.text, set()).add(number)

    @classmethod
    def parse(cls, lines: Iterable[str]) -> Glossary:
        return cls(parse_line(line) for line in lines)

    def concepts_in(self, question: str, language: str | None = None) -> list[Concept]:
        """The concepts a question names, in glossary order; with `language`, by the terms
        of that language (and of the languages sharing its script that detection confuses
        with it), German and "any" only."""
        forms = [variants(word) for word in words(question)]
        candidates: set[int] = set()
        for form in forms:
            for word in form:
                candidates |= self._exact.get(word, set())
                candidates |= self._prefixes.get(word[:MIN_PREFIX], set())
        languages = None if language is None else readable_in(language)
        return [
            self.concepts[n]
            for n in sorted(candidates)
            if self.concepts[n].named_in(forms, languages)
        ]

    def german_terms(self, question: str) -> list[str]:
        """The German terms of the concepts a question names, each once."""
        return german_terms(self.concepts_in(question))


# languages that language detection confuses on short questions (one script)
_SIBLINGS = ({"ru", "uk"}, {"ar", "fa"})


def readable_in(language: str) -> frozenset[str]:
    """The term languages a question in `language` is matched with."""
    base = base_language(language)
    group = next((g for g in _SIBLINGS if base in g), {base})
    return frozenset(group | {"de", "any"})


def german_terms(concepts: Iterable[Concept]) -> list[str]:
    """The German terms of concepts, each once."""
    return list(dict.fromkeys(term for concept in concepts for term in concept.german))


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The shipped glossary, read once per process."""
    return Glossary.parse(data_lines("glossary.txt"))


def uncovered_concepts(
    question: str, covers: Callable[[str], bool], language: str | None = None
) -> list[str]:
    """The topics the question names (not aspects such as costs), by their first German
    term, when the documents use none of the German terms of any of them: "Steuererklärung",
    "пенсия" or "emekliliğim" give "Steuer"/"Rente" when no page speaks of them; empty when
    one named topic is covered. `covers` says whether the corpus uses a German term."""
    topics = narrowest([c for c in glossary().concepts_in(question, language) if not c.aspect])
    missing = [c.german[0] for c in topics if not any(covers(term) for term in c.german)]
    # a topic the documents cover makes the question answerable in part ("ingenieur
    # abschluss anerkennen": the recognition pages answer, though no page names engineers)
    return missing if len(missing) == len(topics) else []


def narrowest(topics: list[Concept]) -> list[Concept]:
    """The topics without those another named topic narrows down: a German compound names
    its kind last, so "Besuchsvisum" is a kind of "Visum", and "a tourist visa" (which names
    both) asks about the tourist visa; the pages on the family reunification visa do not
    answer it."""

    def narrows(wide: Concept, narrow: Concept) -> bool:
        return narrow is not wide and any(
            n.casefold().endswith(w.casefold()) and len(n) > len(w)
            for n in narrow.german
            for w in wide.german
        )

    return [c for c in topics if not any(narrows(c, other) for other in topics)]
