"""Key terms of a question: lower-case German nouns (the real HanTa tagger, small and
bundled) and Latin words inside questions in other scripts."""

from __future__ import annotations

import pytest

from bot.answering.nouns import lowercase_nouns
from bot.answering.retrieval import key_terms


@pytest.mark.parametrize(
    ("question", "nouns"),
    [
        ("schufa auskunft kostenlos wie", ["schufa", "auskunft"]),
        ("was kostet ein reiseausweis für staatenlose", ["reiseausweis"]),
        # "krieg ich" is "do I get": a word before a pronoun is a verb
        ("ab wann krieg ich rente wenn ich 10 jahre gearbeitet habe", ["rente", "jahre"]),
        ("mein kind wird in der schule gemobbt", ["schule"]),  # not the verb
        ("Was kostet die Einbürgerung?", []),  # capitalised nouns are key terms already
    ],
)
def test_lower_case_nouns_of_a_german_question(question: str, nouns: list[str]) -> None:
    assert lowercase_nouns(question) == nouns


def test_a_question_the_tagger_reads_as_foreign_has_no_german_nouns() -> None:
    """The language detector took this English question for German ("kita"): its words
    are not German nouns the corpus lacks."""
    question = "kindergarten registration - is there an online portal or do i go to each kita"
    assert lowercase_nouns(question) == []


def test_key_terms_by_language() -> None:
    assert key_terms("wer hilft bei der steuererklärung", "de") == ["steuererklärung"]
    assert key_terms("как проверить свою schufa бесплатно", "ru") == ["schufa"]
    # however it is written: capitalised or in capitals, German-looking or not
    assert key_terms("как проверить свою Schufa бесплатно", "ru") == ["Schufa"]
    assert key_terms("где сделать TOURISTENVISUM", "ru") == ["TOURISTENVISUM"]
    assert key_terms("مبلغ kindergeld برای یه بچه چقدره", "fa") == ["kindergeld"]
    # in Latin-script languages a lower-case word is the question's own language
    assert key_terms("how do i get a tourist visa", "en") == []
    assert key_terms("kindergeld ne kadar", "tr") == []


def test_the_tagger_never_reads_overlong_words_or_endless_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tagger's time grows with the square of a word's length: a hostile question of
    one 1000-letter word must not reach it, nor thousands of words."""
    from bot.answering import nouns

    seen: list[list[str]] = []

    class Recording:
        def tag_sent(self, words: list[str], taglevel: int = 1) -> list[tuple[str, str, str]]:
            seen.append(list(words))
            return [(w, w, "NN") for w in words]

    monkeypatch.setattr(nouns, "_tagger", lambda: Recording())
    assert nouns.lowercase_nouns("a" * 1000) == []
    assert nouns.lowercase_nouns(("wort" * 10 + " ") * 400) == []
    nouns.lowercase_nouns("frage " * 3000 + "x" * 500)
    assert len(seen) == 1
    assert all(len(w) <= nouns.MAX_WORD_LETTERS for words in seen for w in words)
    assert all(sum(len(w) ** 2 for w in words) <= nouns.WORK_BUDGET for words in seen)
