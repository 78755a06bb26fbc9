"""Messages that are no question: greetings, thanks, fillers, or no words at all.

"Hallo", "danke", "ok" or a row of emoji share no topic with any page, yet retrieval always
returns some nearest passage, and the refusal's relevance bar does not hold for a one-word
message (measured: "Hallo" got the Sprachcafé passage, "hi" the emergency numbers, "ok
danke" the data-protection note). Such a message gets a short reply in its language that
says what the bot answers; a citizen who greets first then asks the real question.

The words are listed in bot/data/small_talk.txt, per kind, in the supported languages. A
message counts only when *every* word is one of them, so "Hallo, wir sind umgezogen. Bis
wann müssen wir uns anmelden?" stays a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.answering.glossary import fold
from bot.indexing.background import data_lines

# a message this long is a question even when its words are all everyday ones
MAX_WORDS = 8
KINDS = ("thanks", "greeting", "filler")  # the first kind a message's words name wins
NOT_UNDERSTOOD = "not-understood"  # letters that make no word (the assistant decides)
# the refusal reasons of messages that ask nothing: no document is missing for them
REASONS = frozenset({*KINDS, "no-words", NOT_UNDERSTOOD})
# words as the glossary folds them (case, accents, Arabic letter forms, apostrophes and the
# Persian zero-width non-joiner: "نمی‌دونم" = "نمیدونم", "don't" = "dont")
_WORD = re.compile(r"[^\W\d_]+")
# a letter held down: "hallooo", "hmmmm" (three or more of one letter in a row)
_HELD = re.compile(r"([^\W\d_])\1{2,}")


@lru_cache(maxsize=1)
def _words() -> dict[str, dict[str, frozenset[str]]]:
    """kind -> word -> the languages it is written in."""
    out: dict[str, dict[str, set[str]]] = {kind: {} for kind in KINDS}
    for line in data_lines("small_talk.txt"):
        head, _, words = line.partition(":")
        kind, _, language = head.strip().partition(" ")
        if kind not in KINDS or not language:
            raise ValueError(f"small_talk.txt: expected 'kind language:', got {head!r}")
        for word in words.split():
            out[kind].setdefault(fold(word), set()).add(language.strip())
    return {kind: {w: frozenset(ls) for w, ls in words.items()} for kind, words in out.items()}


@dataclass(frozen=True)
class SmallTalk:
    kind: str  # "thanks", "greeting", "filler" or "no-words"
    language: str | None  # the language all its words belong to, when there is one


def small_talk(message: str) -> SmallTalk | None:
    """What a message that asks nothing is (thanks, a greeting, a filler, or "no-words" for
    one without a single word: emoji, digits, punctuation); None for a question."""
    words = _WORD.findall(fold(message))
    if not words:
        return SmallTalk("no-words", None)
    if len(words) > MAX_WORDS:
        return None
    known = _words()
    languages: set[str] | None = None
    words = [_unheld(w, known) for w in words]
    for word in words:
        found = {lang for kind in KINDS for lang in known[kind].get(word, ())}
        if not found:
            return None
        languages = found if languages is None else languages & found
    kind = next(kind for kind in KINDS if any(w in known[kind] for w in words))
    only = sorted(languages or ())
    return SmallTalk(kind, only[0] if len(only) == 1 else None)


def _listed(word: str, known: dict[str, dict[str, frozenset[str]]]) -> bool:
    return any(word in known[kind] for kind in KINDS)


def _unheld(word: str, known: dict[str, dict[str, frozenset[str]]]) -> str:
    """The listed word a word with a letter held down stands for: that letter once
    ("hallooo" -> "hallo") or twice ("cooool" -> "cool", "neeee" -> "nee")."""
    if _listed(word, known):
        return word
    for once_or_twice in (r"\1", r"\1\1"):
        candidate = _HELD.sub(once_or_twice, word)
        if _listed(candidate, known):
            return candidate
    return word
