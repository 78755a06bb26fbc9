"""The domain glossary (bot/answering/glossary.py): which concepts a question in another
language names, and how retrieval uses their German terms (FusionWeights.glossary_bm25)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from bot.answering.glossary import Glossary, fold, glossary, parse_line, variants, words
from bot.answering.retrieval import FusionWeights, Retriever
from bot.config import Settings
from bot.indexing.build import LoadedIndex, build_index, load_index
from tests.conftest import FakeEmbeddings

SMALL = Glossary.parse(
    [
        "de: Einbürgerung, Staatsangehörigkeit | en: naturali*, citizenship* | "
        "ru: натурализац*, гражданств* | uk: громадянств* | ar: تجنس*, جنسيه* | "
        "tr: vatandaşlı* | fa: تابعیت*",
        "de: Aufenthaltserlaubnis | ar: اقامه* | fa: اقامت* | en: residen* permit*",
        "aspect | de: Kosten, Gebühren | en: cost*, how much | ru: стоит, стоимост*",
        "de: Sprachkurs | fa: کلاس* زبان* | uk: курс* мов*",
    ]
)


def german(question: str) -> list[str]:
    return SMALL.german_terms(question)


@pytest.mark.parametrize(
    "question",
    [
        "Как получить гражданство?",
        "Документы для натурализации",
        "Что нужно для гражданства Германии?",
        "Як отримати громадянство?",  # Ukrainian
        "Скільки часу триває розгляд заяви на громадянство?",
    ],
)
def test_russian_and_ukrainian_case_endings_match(question: str) -> None:
    assert german(question)[:2] == ["Einbürgerung", "Staatsangehörigkeit"]


@pytest.mark.parametrize(
    "question",
    [
        "ما هي شروط التجنس؟",  # with the article
        "ما هي شروط تجنس الأطفال؟",  # without
        "هل يمكنني الحصول على الجنسية الألمانية؟",  # article, hamza
        "أريد أن أسأل عن الجنسية والتجنس",  # attached "and"
        "بالجنسية",  # attached preposition and article
    ],
)
def test_arabic_with_and_without_article_and_prefixes(question: str) -> None:
    assert "Einbürgerung" in german(question)


def test_spoken_arabic_present_tense_is_read_as_the_verb() -> None:
    # Levantine/Egyptian "bi-" before the verb: "بيضربني" (he beats me) is "ضرب"
    shipped = glossary()
    assert "Gewalt" in shipped.german_terms("جوزي بيضربني")
    assert "Gewalt" not in shipped.german_terms("جوزي")
    # Persian "بیمه" (insurance) begins the same way and keeps its meaning
    assert "Krankenversicherung" in shipped.german_terms("بیمه درمانی ندارم")


def test_farsi_with_and_without_zero_width_non_joiner() -> None:
    assert german("کلاس‌های زبان کجاست؟") == ["Sprachkurs"]  # ZWNJ + plural "ها"
    assert german("کلاسهای زبان") == ["Sprachkurs"]
    assert german("کلاس زبان") == ["Sprachkurs"]
    assert german("تمدید اقامت") == ["Aufenthaltserlaubnis"]


def test_turkish_without_its_letters_and_english_multiword_in_any_order() -> None:
    assert german("Vatandaslik icin ne lazim?") == german("Vatandaşlık için ne lazım?")
    assert german("VATANDAŞLIK") == ["Einbürgerung", "Staatsangehörigkeit"]
    assert german("A permit of residence") == ["Aufenthaltserlaubnis"]
    assert german("a permit") == []  # every word of a term must occur


def test_several_concepts_and_an_aspect() -> None:
    concepts = SMALL.concepts_in("Сколько стоит натурализация?")
    assert [c.german[0] for c in concepts] == ["Einbürgerung", "Kosten"]
    assert [c.aspect for c in concepts] == [False, True]


def test_a_german_term_typed_into_another_language_matches() -> None:
    assert german("Как получить Aufenthaltserlaubnis?") == ["Aufenthaltserlaubnis"]
    assert german("Was kostet die Einbürgerung?") == ["Einbürgerung", "Staatsangehörigkeit"]


def test_questions_without_glossary_words_name_nothing() -> None:
    for question in ("What is the weather tomorrow?", "Какая завтра погода?", "طقس الغد", ""):
        assert german(question) == []
        assert glossary().german_terms(question) == []


def test_folding() -> None:
    assert fold("Ёлка") == "елка"
    assert fold("İSTANBUL") == "istanbul"
    assert fold("إقامة") == "اقامه"
    assert fold("كيف") == fold("کیف")
    assert words("B1'i, зв'язок") == ["b1i", "звязок"]
    assert variants(fold("والإقامة")) >= {"اقامه"}
    assert variants("ivan") == {"ivan"}  # Latin and Cyrillic words have no clitics


def test_the_line_format_is_checked() -> None:
    with pytest.raises(ValueError, match="shorter"):
        parse_line("de: Kita | ru: са*")
    with pytest.raises(ValueError, match="German"):
        parse_line("en: nursery | ru: ясл*")
    with pytest.raises(ValueError, match="tag"):
        parse_line("de: Kita | nursery")
    concept = parse_line("de: Kita, Kindertagesstätte | en: day care, nurser*")
    assert concept.german == ("Kita", "Kindertagesstätte")
    assert not concept.aspect
    texts = [[(p.text, p.prefix) for p in term] for term in concept.terms]
    # a German term also matches in a foreign question, a long one as a prefix
    assert texts == [
        [("kita", False)],
        [("kindertagesstatte", True)],
        [("day", False), ("care", False)],
        [("nurser", True)],
    ]


def test_the_shipped_glossary() -> None:
    shipped = glossary()
    assert 80 <= len(shipped.concepts) <= 200
    for concept in shipped.concepts:
        assert concept.german and all(concept.german)
        assert len(concept.terms) >= 2, concept.german  # more than the German term itself
    assert shipped.german_terms("Сколько стоит натурализация?")[:1] == ["Einbürgerung"]
    assert "Kita" in shipped.german_terms("Як записати дитину в дитячий садок?")
    assert "Wohngeld" in shipped.german_terms("كيف أحصل على بدل السكن؟")
    assert "Führerschein" in shipped.german_terms("Ehliyetimi nasıl çevirebilirim?")


# --- retrieval ---

DOCS = {
    "einbuergerung.md": "# Einbürgerung\n\n## Kosten\nDie Einbürgerung kostet 255 Euro. "
    "Die Staatsangehörigkeit erhalten Sie mit der Urkunde.\n",
    "anerkennung.md": "# Anerkennung\n\n## Verfahren\nFür die Anerkennung Ihres Abschlusses "
    "brauchen Sie Zeugnisse.\n",
    "kita.md": "# Kita\n\n## Anmeldung\nDie Anmeldung für die Kita erfolgt beim Jugendamt.\n",
    # a page in the asker's language on another topic: the embedder's favourite
    "priznanie.md": "---\nlang: ru\n---\n# Признание дипломов\n\nСколько стоит признание "
    "диплома и какие документы нужны, скажет консультация.\n",
}
RUSSIAN = "Сколько стоит натурализация и какие документы нужны?"
WITHOUT = replace(FusionWeights(), glossary_bm25=0.0, glossary_dense=0.0)


@pytest.fixture
def index(settings: Settings, fake_embedder: FakeEmbeddings) -> Iterator[LoadedIndex]:
    memory = settings.model_copy(update={"store": "memory"})
    for name, text in DOCS.items():
        (memory.corpus_dir / name).write_text(text, encoding="utf-8")
    build_index(memory, fake_embedder)
    yield load_index(memory, fake_embedder)


def _pair(index: LoadedIndex) -> tuple[Retriever, Retriever]:
    embedder = FakeEmbeddings()
    return Retriever(index, embedder, WITHOUT), Retriever(index, embedder, FusionWeights())


@pytest.mark.parametrize(
    "weights",
    [
        FusionWeights(),
        replace(WITHOUT, glossary_bm25=0.3),  # BM25 of the German terms alone
        replace(WITHOUT, glossary_dense=0.5),  # the moved vector alone
    ],
)
def test_the_glossary_brings_the_right_page_for_a_russian_question(
    index: LoadedIndex, weights: FusionWeights
) -> None:
    embedder = FakeEmbeddings()
    plain, with_glossary = Retriever(index, embedder, WITHOUT), Retriever(index, embedder, weights)
    before = plain.search(RUSSIAN, "ru", k=3)
    after = with_glossary.search(RUSSIAN, "ru", k=3)
    assert before.hits[0].metadata["source"] == "priznanie.md"  # shared Russian words win
    assert after.hits[0].metadata["source"] == "einbuergerung.md"
    # the refusal's signals are the question's own: the expansion only moves the ranking
    # (equal up to float32 rounding, which differed in the 8th digit on one machine)
    assert after.top_dense == pytest.approx(before.top_dense, abs=1e-6)
    assert after.z_score == pytest.approx(before.z_score, abs=1e-5)
    assert after.background_margin == pytest.approx(before.background_margin, abs=1e-6)
    assert after.unknown_terms == before.unknown_terms


def test_the_expanded_text_ranks_the_dense_candidates_only_when_asked(
    index: LoadedIndex,
) -> None:
    embedder = FakeEmbeddings()
    dense = Retriever(index, embedder, replace(WITHOUT, glossary_dense=1.0))
    plain = Retriever(index, embedder, WITHOUT)
    before = plain.search(RUSSIAN, "ru", k=4)
    assert embedder.queries == 1
    after = dense.search(RUSSIAN, "ru", k=4)
    assert embedder.queries == 3  # and here the question and its German terms
    assert after.hits[0].metadata["source"] == "einbuergerung.md"
    # the similarities the refusal and the composer read are the question's own
    question = np.asarray(embedder.embed_query(RUSSIAN), np.float32)
    for hit in after.hits:
        stored = index.collection.vectors([hit.id])[hit.id]
        assert hit.dense == pytest.approx(float(stored @ question), abs=1e-5)
    assert after.top_dense == pytest.approx(before.top_dense, abs=1e-6)
    assert after.z_score == pytest.approx(before.z_score, abs=1e-6)
    dense.search("Какая погода будет завтра?", "ru")  # names no concept: one embedding
    assert embedder.queries == 5


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Was kostet die Einbürgerung und welche Unterlagen brauche ich?", "de"),
        ("Какая погода будет завтра?", "ru"),  # names no concept
    ],
)
def test_german_questions_and_questions_without_concepts_are_unchanged(
    index: LoadedIndex, question: str, language: str
) -> None:
    plain, with_glossary = _pair(index)
    before = plain.search(question, language, k=4)
    after = with_glossary.search(question, language, k=4)
    assert [(h.id, h.score) for h in after.hits] == [(h.id, h.score) for h in before.hits]


def test_uncovered_concepts_names_the_topics_no_document_uses() -> None:
    from bot.answering.glossary import uncovered_concepts

    corpus = {"Einbürgerung", "Miete"}

    def covers(term: str) -> bool:
        return term in corpus

    assert uncovered_concepts("Скільки коштує громадянство?", covers) == []
    assert uncovered_concepts("how do I file my tax return", covers) == ["Steuer"]
    # aspects (costs) never count as a topic of their own
    assert uncovered_concepts("was kostet das", covers) == []


def test_a_question_naming_a_covered_topic_too_is_not_uncovered() -> None:
    from bot.answering.glossary import uncovered_concepts

    def covers(term: str) -> bool:
        return term in {"Anerkennung", "Abschluss"}

    assert uncovered_concepts("ingenieur abschluss anerkennen lassen", covers, "de") == []
    assert uncovered_concepts("Ab wann bekomme ich Rente?", covers, "de") == ["Rente"]


def test_terms_of_other_languages_do_not_match_a_german_question() -> None:
    """English "rent*" (Miete) is a prefix of the German "Rente"."""
    from bot.answering.glossary import glossary

    named = {c.german[0] for c in glossary().concepts_in("ab wann krieg ich rente", "de")}
    assert "Miete" not in named and "Rente" in named
    assert "Miete" in {c.german[0] for c in glossary().concepts_in("how much is the rent", "en")}
    # Ukrainian terms still match a question detected as Russian (one script, often confused)
    assert glossary().concepts_in("посвідка на проживання", "ru")


def test_a_narrower_topic_decides_whether_the_pages_cover_a_question() -> None:
    from bot.answering.glossary import uncovered_concepts

    def covers(term: str) -> bool:  # pages on the family reunification visa only
        return term in {"Visum", "Einreise"}

    assert uncovered_concepts("how do i get a tourist visa for my parents", covers) == [
        "Besuchsvisum"
    ]
    assert uncovered_concepts("visa for my wife", covers) == []
