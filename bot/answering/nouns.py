"""German nouns a citizen typed in lower case: "schufa auskunft kostenlos wie".

The refusal check asks whether the documents ever use a question's key terms (a
question about the "Schufa" or a "Touristenvisum" is refused when nothing stands out
clearly). It used to take capitalised words as the key terms, since German nouns are
capitalised; citizens on a phone mostly type in lower case, and then nothing was
checked. A lower-case word cannot tell a noun from a verb by itself ("krieg ich" is
"do I get"), so a part-of-speech tagger reads the question: HanTa (the Hanover Tagger,
a maintained package that ships its German model, about 1 MB, no download; 1-3 ms per
question) reads lower-case German well ("reiseausweis" NN, "gemobbt" VV, "staatenlose"
ADJ). Why not a word list: measured on the dev questions, the unknown lower-case words
of answerable questions were mostly verbs and colloquial forms ("nimmt", "gekürzt",
"hingehen", "schlägt"), those of unanswerable ones nouns ("rente", "schufa",
"touristenvisum").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
MIN_LETTERS = 5
# a question whose words the tagger mostly takes for foreign ones (FM) is not German,
# whatever the language detector said ("kindergarten registration - is there an online
# portal ... or do i go to each kita" was detected as German)
MAX_FOREIGN_SHARE = 0.3
# a word right before a personal pronoun is a verb in a question ("wann krieg ich rente")
_PRONOUNS = {"ich", "du", "er", "sie", "es", "man", "wir", "ihr"}
_NOUN_TAGS = {"NN", "NE"}
# the tagger's time grows with the square of a word's length (a 200-letter word: 0.4 s, a
# 1000-letter one: seconds) and with the number of unknown words: longer words are no
# citizen's nouns and are never tagged, and a question is tagged until the squared lengths
# of its words add up to the budget (a citizen question of 30 words: about 800). Measured
# worst case of a hostile 1000-character question: 0.2 s (embedding it takes 0.9 s).
MAX_WORD_LETTERS = 24
WORK_BUDGET = 1_500


def _within_budget(words: list[str]) -> list[str]:
    kept: list[str] = []
    work = 0
    for word in words:
        if len(word) > MAX_WORD_LETTERS:
            continue
        work += len(word) ** 2
        if work > WORK_BUDGET:
            break
        kept.append(word)
    return kept


@lru_cache(maxsize=1)
def _tagger() -> Any:
    try:
        from HanTa import HanoverTagger
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("HanTa is missing: install the project (`make install`)") from exc
    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


def lowercase_nouns(question: str) -> list[str]:
    """The nouns and names (five letters or more) of a German question that are written
    in lower case, in question order; [] for a question the tagger reads as foreign."""
    words = _within_budget(_WORD.findall(question))
    if not any(w[0].islower() and len(w) >= MIN_LETTERS for w in words):
        return []
    tagged = _tagger().tag_sent(words, taglevel=1)
    tags = [tag for _, _, tag in tagged]
    if tags.count("FM") > MAX_FOREIGN_SHARE * len(tags):
        return []
    nouns = []
    for i, (word, tag) in enumerate(zip(words, tags, strict=True)):
        if tag not in _NOUN_TAGS or len(word) < MIN_LETTERS or not word[0].islower():
            continue
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        if following in _PRONOUNS:
            continue
        nouns.append(word)
    return nouns
