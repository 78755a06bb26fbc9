"""A page written in another language than German is judged as a hub against the centre of
its own language (Retriever._hub_penalties): against the German centre it looked like no hub
at all and gained rank for every question."""

from __future__ import annotations

import numpy as np

from bot.answering.retrieval import Retriever, foreign_language
from bot.config import Settings
from bot.indexing.build import build_index, load_index
from tests.conftest import FakeEmbeddings

GERMAN = {
    "kurs": "Der Integrationskurs kostet 2,29 Euro pro Unterrichtseinheit.",
    "kita": "Die Kita nimmt Kinder ab einem Jahr auf, die Anmeldung läuft online.",
    "pass": "Die Einbürgerung kostet 255 Euro, für Kinder 51 Euro.",
    "schule": "Die Schule meldet neue Kinder beim Schulamt an.",
}
ENGLISH = {
    "volunteering": "If you would like to help, there is a lot that you can do and the team "
    "will be happy to hear from you.",
    "recognition": "If you have a degree from abroad, you can have it recognised and the "
    "office will tell you what you need to do.",
}


def _retriever(settings: Settings, fake_embedder: FakeEmbeddings) -> Retriever:
    for name, text in GERMAN.items():
        page = f"---\ntitle: {name}\n---\n# {name}\n\n{text}\n"
        (settings.corpus_dir / f"{name}.md").write_text(page, encoding="utf-8")
    for name, text in ENGLISH.items():  # no language declared: read off the text
        (settings.corpus_dir / f"{name}.txt").write_text(f"{name}\n\n{text}\n", encoding="utf-8")
    build_index(settings, fake_embedder)
    return Retriever(load_index(settings, fake_embedder), fake_embedder)


def test_an_english_page_is_a_hub_by_the_centre_of_english_pages(
    settings: Settings, fake_embedder: FakeEmbeddings
) -> None:
    retriever = _retriever(settings, fake_embedder)
    assert set(retriever._language_centroids) == {"en"}
    index = retriever.index
    chunks = index.chunks(list(index.ids))
    english = [c for c in index.ids if foreign_language(chunks[c].metadata) == "en"]
    assert len(english) == 2
    assert retriever._foreign_languages(list(index.ids), {}) == [
        "en" if c in english else None for c in index.ids
    ]
    vectors = np.vstack([retriever._vectors(english)])
    against_german = retriever._hub_penalties(vectors)
    against_english = retriever._hub_penalties(vectors, ["en"] * len(english))
    # an English page is far from the German centre: measured there it would gain rank
    assert (against_english > against_german + 0.05).all()


def test_the_own_language_centre_leaves_the_similarity_the_refusal_reads(
    settings: Settings, fake_embedder: FakeEmbeddings
) -> None:
    retriever = _retriever(settings, fake_embedder)
    question = "If you have a degree from abroad, what do you need to do?"
    corrected = retriever.search(question, "en", k=2)
    retriever._language_centroids = {}  # as before: English chunks measured by the German centre
    plain = retriever.search(question, "en", k=2)
    assert plain.top_dense == corrected.top_dense
    assert plain.z_score == corrected.z_score


def test_an_undeclared_page_gets_the_language_of_its_text(settings: Settings) -> None:
    from bot.ingest.loaders import load_document

    english = settings.corpus_dir / "volunteering.txt"
    english.write_text("Volunteering\n\n" + ENGLISH["volunteering"] + "\n", encoding="utf-8")
    german = settings.corpus_dir / "kurs.txt"
    german.write_text("Kurs\n\n" + GERMAN["kurs"] + " " + GERMAN["kita"] + "\n", encoding="utf-8")
    assert load_document(english, settings.corpus_dir, 10**6).lang == "en"
    assert load_document(german, settings.corpus_dir, 10**6).lang is None  # German: as before


def test_places_are_named_in_cyrillic_and_arabic_script_too() -> None:
    from bot.answering.retrieval import mentions_place, named_places

    assert named_places("есть ли место в Kita в Райнбахе") == ["Rheinbach"]  # case ending
    assert named_places("я живу в Зігбурзі") == []  # a sound change is not a case ending
    assert named_places("Я з Бонна, де курси?") == ["Bonn"]
    assert named_places("هل يوجد مكان في سيغبورغ") == ["Siegburg"]
    assert named_places("Kita in Rheinbach und Bonn") == ["Rheinbach", "Bonn"]
    assert named_places("how much does it cost") == []  # "Much" only as written
    # a German passage mentions the place the question names in another script
    assert mentions_place("Beratung in Siegburg, Ringstraße 18", named_places("в Зигбурге")[0])


def test_a_cyrillic_place_name_ending_in_a_soft_sign_is_found_with_its_case_ending() -> None:
    """The case ending replaces a final "ь" ("Свистталь" -> "в Свисттале", "Нідеркассель"
    -> "у Нідеркасселі"); only endings added to the whole name were matched."""
    from bot.answering.retrieval import named_places

    assert named_places("Есть ли курсы в Свисттале?") == ["Swisttal"]
    assert named_places("Чи є курси у Нідеркасселі?") == ["Niederkassel"]
    assert named_places("Курсы в Нидеркасселе и Кёльне") == ["Niederkassel", "Köln"]
    assert named_places("Свистталь") == ["Swisttal"]
    assert named_places("в Свисттал") == []  # the stem alone is no name
