"""Answer units and their choice: whole sentences, whole lists, contact blocks."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answering.compose import (
    ScoredUnit,
    Weights,
    asks_for,
    candidate_hits,
    choose_blocks,
    choose_units,
    continues,
    holds,
    join_units,
)
from bot.answering.retrieval import Hit, RetrievalResult
from bot.ingest.units import Unit, split_units, tells_how_to_reach


def test_sentences_keep_german_abbreviations_together() -> None:
    text = (
        "Die Gebühr beträgt 255 Euro bzw. 51 Euro für Kinder. Bitte bringen Sie z. B. Ihren "
        "Pass mit. Es sind max. 30 Personen. Siehe Nr. 5 der Liste. Danach gilt § 10 Abs. 1 "
        "StAG. Kurse gibt es u. a. in Siegburg."
    )
    units = [u.text for u in split_units(text)]
    assert units == [
        "Die Gebühr beträgt 255 Euro bzw. 51 Euro für Kinder.",
        "Bitte bringen Sie z. B. Ihren Pass mit.",
        "Es sind max. 30 Personen.",
        "Siehe Nr. 5 der Liste.",
        "Danach gilt § 10 Abs. 1 StAG.",
        "Kurse gibt es u. a. in Siegburg.",
    ]


def test_bold_ending_after_a_sentence_mark_stays_with_its_sentence() -> None:
    units = split_units(
        "**Lassen Sie ihn anerkennen!** Ob Pflegekraft oder Elektriker: es lohnt sich."
    )
    assert [u.text for u in units] == [
        "**Lassen Sie ihn anerkennen!**",
        "Ob Pflegekraft oder Elektriker: es lohnt sich.",
    ]


def test_a_bold_start_is_not_taken_for_the_ending_of_an_open_bold_before() -> None:
    """Only a '**' the splitter cut off (followed by a space) goes back: a bold span across
    two sentences left the first one with an odd count, and the next sentence's own bold
    start was moved onto it ("…mehr.**" + "Neu** hier.")."""
    units = split_units("Text **fett. Noch** mehr. **Neu** hier.")
    assert [u.text for u in units] == ["Text **fett.", "Noch** mehr.", "**Neu** hier."]


def test_list_is_one_unit_tied_to_its_introduction() -> None:
    text = "Sie brauchen folgende Unterlagen:\n1. den Pass\n2. ein Foto\n3. die Meldebescheinigung"
    intro, items = split_units(text)
    assert intro.text.endswith(":") and items.kind == "list"
    assert intro.group == items.group >= 0
    assert items.text.count("\n") == 2  # no lone "1." or "3."


def test_wrapped_lines_of_plain_text_stay_in_their_item_and_sentence() -> None:
    text = (
        "Teilnehmen können Menschen, die\n"
        "* arbeitsuchend sind,\n"
        "* in Ausbildung sind.\n"
        "\n"
        "(B2 und C1: 500 UE, ca. 5 Monate in Vollzeit\n"
        "bzw. 10 Monate in Teilzeit).\n"
        "\n"
        "2. Berechtigung beantragen:\n"
        "   – Bürgergeld: Sie erhalten die Berechtigung bei Ihrer\n"
        "     Vermittlerin im Jobcenter.\n"
        "   – Beschäftigte: beim BAMF.\n"
        "Danach melden Sie sich an."
    )
    units = split_units(text)
    texts = [u.text for u in units]
    assert units[0].group == units[1].group >= 0  # the list completes the sentence
    assert "(B2 und C1: 500 UE, ca. 5 Monate in Vollzeit bzw. 10 Monate in Teilzeit)." in texts
    assert any(
        "bei Ihrer Vermittlerin im Jobcenter." in t and "Beschäftigte" in t for t in texts
    ), "a hanging indent continues the item, though the line starts with a noun"
    assert texts[-1] == "Danach melden Sie sich an."  # not indented: a sentence of its own
    assert not any(t.startswith(("bzw.", "Vermittlerin")) for t in texts)


def test_rows_of_one_table_are_quoted_under_one_header() -> None:
    head = "| Einkommen | Beitrag |\n|---|---|\n"
    units = split_units(f"{head}| bis 45.000 € | 72 € |\n| bis 60.000 € | 128 € |")
    assert join_units(units[1:]) == f"{head}| bis 45.000 € | 72 € |\n| bis 60.000 € | 128 € |"
    assert join_units(units[:2]) == f"{head}| bis 45.000 € | 72 € |"
    assert join_units(units[2:]) == f"{head}| bis 60.000 € | 128 € |"


def test_contact_block_stays_together() -> None:
    text = (
        "So erreichen Sie uns.\nKommunales Integrationszentrum\nKaiser-Wilhelm-Platz 1, "
        "53721 Siegburg\nTel. 02241 13-1234\nE-Mail: ki@example.org\nMo.–Fr. 8–12 Uhr"
    )
    units = split_units(text)
    assert [u.kind for u in units] == ["sentence", "contact"]
    assert units[1].text.startswith("Kommunales") and units[1].text.endswith("12 Uhr")


@pytest.mark.parametrize(
    ("block", "reachable"),
    [
        ("Servicestelle\nBahnhofstraße 12, 53721 Siegburg\nTelefon: 02241 555 870-30", True),
        ("Tel. 0228 555 614-70\nE-Mail: anerkennung@example.org", True),
        ("Bürgerbüro\nMarkt 1, 53721 Siegburg\nMo–Fr 8–12 Uhr", True),  # where to go
        ("E-Mail: mbe@example.org", False),
        ("Telefon: 02241 555 870-30", False),
        ("Sprechzeiten: Mo–Do 9:00–12:00 Uhr\nStand: 02/2026", False),
    ],
)
def test_a_contact_block_that_tells_how_to_reach_someone(block: str, reachable: bool) -> None:
    """An address, or phone and e-mail: a lone e-mail or phone line or hours say too little."""
    assert tells_how_to_reach(block) is reachable


def test_pdf_label_line_is_not_glued_to_the_next_sentence() -> None:
    wrapped = "Wir empfehlen, den Antrag auf Verlängerung Ihrer Aufenthaltserlaubnis etwa acht"
    units = split_units(f"Stand: 1. September 2026\n{wrapped}\nWochen vorher zu stellen.")
    assert [u.text for u in units] == [
        "Stand: 1. September 2026",
        f"{wrapped} Wochen vorher zu stellen.",
    ]


def test_a_price_list_with_dot_leaders_is_a_list_under_its_label() -> None:
    """Flattened text (PDF, plain-text pages) writes tables with dot leaders; two rows
    glued into one sentence, without their label, answered "what does it cost". Each row
    is an item of a list under its label: a row answers with the label, a question for
    the list gets all of it."""
    text = (
        "Gebühren\n"
        "Einbürgerung (Erwachsene) .......... 255,00 EUR\n"
        "Einbürgerungstest ................. 25,00 EUR\n"
        "Die Gebühr ist bei Antragstellung fällig."
    )
    units = split_units(text)
    assert [u.kind for u in units] == ["sentence", "item", "item", "sentence"]
    assert units[0].group == units[1].group == units[2].group >= 0
    assert units[1].text.endswith("255,00 EUR")
    # an ellipsis in running text is no leader
    assert [u.kind for u in split_units("Wir beraten … und helfen weiter.")] == ["sentence"]


def test_table_rows_are_units() -> None:
    units = split_units("| Kurs | Kosten |\n|---|---|\n| Integrationskurs | 2,29 Euro |")
    assert [u.kind for u in units] == ["row", "row"]


def test_what_a_question_asks_for_in_several_languages() -> None:
    assert "amount" in asks_for("Was kostet die Einbürgerung?")
    assert "amount" in asks_for("Сколько стоит гражданство?")
    assert "time" in asks_for("How long does it take?")
    assert "contact" in asks_for("أين يقع مركز الاندماج؟")
    assert asks_for("Darf ich arbeiten?") == set()
    assert holds(Unit("Die Gebühr beträgt 255 Euro.", "sentence", 0), "amount")
    assert not holds(Unit("Die Gebühr ist hoch.", "sentence", 0), "time")


@pytest.mark.parametrize(
    "question",
    [
        "wer hilft mir bei der anerkennung",
        "who can help me, my landlord refused me",
        "меня дискриминируют на работе куда обратиться",
        "ayrımcılık yaşadım kime başvurabilirim",
    ],
)
def test_who_helps_asks_for_the_office(question: str) -> None:
    """ "Who helps?" is answered by the office in charge: its contact block, or the
    sentence naming it ("Zuständig ist die Bezirksregierung Düsseldorf")."""
    assert "contact" in asks_for(question)
    office = Unit("Zuständig ist die Bezirksregierung Düsseldorf, Dezernat 24.", "sentence", 0)
    assert holds(office, "contact")
    assert not holds(Unit("Die Anerkennung dauert drei Monate.", "sentence", 0), "contact")
    # German puts the verb last
    last = "Sie können eine Zeugnisbewertung bei der Zentralstelle (ZAB) beantragen."
    assert holds(Unit(last, "sentence", 0), "contact")
    assert not holds(Unit("Sie lernen viel und stellen Fragen.", "sentence", 0), "contact")


def test_a_unit_naming_the_number_of_the_question_scores_higher() -> None:
    """ "Kita-Beitrag bei 45000 brutto": the row "bis 45.000 €" answers, not its
    neighbours; thousands separators do not matter, years and single digits say little."""
    from bot.answering.compose import UnitStore, _numbers, score_units
    from bot.embeddings import make_embedder

    assert _numbers("bei 45000 brutto im Jahr 2025, 3 Kinder") == {"45000"}
    assert _numbers("| bis 45.000 € | 128 € |") == {"45000", "128"}
    rows = ["| bis 30.000 € | 0 € |", "| bis 45.000 € | 128 € |", "| bis 60.000 € | 200 € |"]
    text = "\n".join(rows)
    hit = Hit("c1", text, {"source": "kita.md"}, 1.0, 0.9)
    store = UnitStore(None, make_embedder("fake"))
    question = "wie hoch ist der kita beitrag bei 45000 brutto"
    vector = np.asarray(store.embedder.embed_query(question))
    plain = score_units(question, vector, [hit], store, str.split, Weights(same_number=0.0))
    scored = score_units(question, vector, [hit], store, str.split, Weights(same_number=0.05))
    bonus = {s.unit.text: s.score - p.score for s in scored for p in plain if p.unit == s.unit}
    assert {text: round(b, 3) for text, b in bonus.items()} == {
        rows[0]: 0.0,
        rows[1]: 0.05,
        rows[2]: 0.0,
    }


@pytest.mark.parametrize(
    "question",
    [
        "هل يوجد تكوين مهني للاجئين",  # vocational training: "وين" (where) inside a word
        "هل الموظفين يتكلمون العربية",  # the staff: "فين" (where)
        "كيف أعادل شهادة المعلمين",  # teachers: "لمين" (to whom)
        "هل يمكنني الانتقال إلى منطقة أخرى",  # to another area: "إلى من" (to whom)
        "کلاس‌ها به کیفیت خوبی هستند؟",  # of good quality: "به کی" (to whom)
        "Brauche ich eine Steuernummer für den Minijob?",  # "nummer" inside a word
        "What is the course called?",  # "call"
        "Can I take the test anywhere in Germany?",  # "where"
        "Можно ли учиться в городе Бонн?",  # "де" (Ukrainian where) ending a word
        "Курсы есть нигде кроме Зигбурга?",  # "где" inside "нигде" (nowhere)
    ],
)
def test_a_who_or_where_cue_inside_a_word_asks_for_no_office(question: str) -> None:
    assert "contact" not in asks_for(question)


@pytest.mark.parametrize("question", ["وين المكتب", "لوين لازم روح", "فين المكتب", "لمين بروح"])
def test_where_and_to_whom_in_dialect_arabic_ask_for_the_office(question: str) -> None:
    assert "contact" in asks_for(question)


def _scored(
    units: list[Unit],
    scores: list[float],
    hit_id: str = "c1",
    rank: int = 0,
    source: str | None = None,
) -> list[ScoredUnit]:
    hit = Hit(hit_id, "", {"source": source or f"{hit_id}.md"}, 1.0, 0.9)
    out = [ScoredUnit(u, hit, rank, s, s) for u, s in zip(units, scores, strict=True)]
    return sorted(out, key=lambda s: s.score, reverse=True)


def test_choosing_the_intro_brings_the_whole_list_in_document_order() -> None:
    units = [
        Unit("Der Antrag kostet nichts.", "sentence", 0),
        Unit("Bitte bringen Sie mit:", "sentence", 1, group=0),
        Unit("- Pass\n- Foto", "list", 2, group=0),
        Unit("Danach bekommen Sie einen Termin.", "sentence", 3),
    ]
    chosen = choose_units(_scored(units, [0.70, 0.90, 0.60, 0.50]), Weights(fill=0))
    assert [c.unit.position for c in chosen] == [1, 2]
    assert join_units([c.unit for c in chosen]) == "Bitte bringen Sie mit:\n- Pass\n- Foto"


def test_an_item_of_a_long_list_brings_the_list_only_when_a_list_is_asked_for() -> None:
    items = [f"{i}. Voraussetzung {i} " + "x" * 80 + "," for i in range(1, 7)]
    units = [
        Unit("Sie können eingebürgert werden, wenn Sie", "sentence", 0, group=0),
        *(Unit(text, "item", i, group=0) for i, text in enumerate(items, start=1)),
    ]
    scored = _scored(units, [0.5, 0.6, 0.6, 0.9, 0.6, 0.6, 0.6])
    one = choose_blocks(scored, Weights(fill=0), whole_lists=False)
    assert [u.unit.position for u in one[0]] == [0, 3]  # the introduction and item 3
    whole = choose_blocks(scored, Weights(fill=0), whole_lists=True)
    assert [u.unit.position for u in whole[0]] == list(range(7))


def test_a_sentence_leaning_on_the_best_one_comes_along() -> None:
    units = [
        Unit(
            "Wenn Sie den Antrag vor Ablauf gestellt haben, bekommen Sie eine "
            "Fiktionsbescheinigung.",
            "sentence",
            0,
        ),
        Unit("Sie bestätigt, dass Ihr Aufenthaltstitel als fortbestehend gilt.", "sentence", 1),
        Unit("Bewahren Sie sie gut auf.", "sentence", 2),
    ]
    assert continues(units[1])
    chosen = choose_units(_scored(units, [0.9, 0.7, 0.6]), Weights(fill=0))
    assert [c.unit.position for c in chosen] == [0, 1]


def test_a_best_sentence_that_refers_back_brings_the_one_before() -> None:
    """ "Für Personen, die danach eingereist sind, ist das Sozialamt zuständig" says after
    what only with the sentence before it, even when the budget is spent elsewhere."""
    units = [
        Unit("Das Jobcenter hilft bei der Arbeitssuche.", "sentence", 0),
        Unit("Wer vor dem 1. April eingereist ist, bekommt Bürgergeld.", "sentence", 1),
        Unit(
            "Für Personen, die danach eingereist sind, ist das Sozialamt zuständig.", "sentence", 2
        ),
    ]
    scored = _scored(units, [0.5, 0.6, 0.9])
    chosen = choose_units(scored, Weights(fill=0, short_unit=10))
    assert [c.unit.position for c in chosen] == [1, 2]
    alone = choose_units(scored, Weights(fill=0, short_unit=10, lean_back=False))
    assert [c.unit.position for c in alone] == [2]


def test_far_weaker_units_stay_out() -> None:
    units = [
        Unit(f"Satz Nummer {i} hat genug Text, damit er sicher nicht als kurz gilt.", "sentence", i)
        for i in range(4)
    ]
    chosen = choose_units(_scored(units, [0.9, 0.5, 0.5, 0.5]), Weights(short_unit=10, fill=0))
    assert [c.unit.position for c in chosen] == [0]
    assert np.isclose(chosen[0].score, 0.9)


def _sentences(count: int, length: int = 80) -> list[Unit]:
    return [Unit(f"Satz {i} " + "x" * (length - 8) + ".", "sentence", i) for i in range(count)]


def test_neighbours_fill_the_answer_up_to_the_budget_without_gaps() -> None:
    units = _sentences(8)  # 80 characters each
    scores = [0.5, 0.6, 0.9, 0.5, 0.85, 0.7, 0.5, 0.5]
    chosen = choose_units(_scored(units, scores), Weights(fill=400, short_unit=10))
    positions = [c.unit.position for c in chosen]
    assert positions == [1, 2, 3, 4, 5]  # 3 closes the gap; then the better neighbours
    assert sum(len(c.unit.text) for c in chosen) <= 400
    assert "…" not in join_units([c.unit for c in chosen])


def test_the_answer_starts_in_the_passage_ranked_first() -> None:
    first = _scored(_sentences(2), [0.80, 0.70], hit_id="first", rank=0)
    other = _scored(_sentences(2), [0.95, 0.60], hit_id="other", rank=1)
    far = _scored(_sentences(2), [0.60, 0.50], hit_id="far", rank=2)
    ranked = sorted(first + other + far, key=lambda s: -s.score)
    blocks = choose_blocks(ranked, Weights(fill=0, short_unit=10))
    # the better unit of the second passage follows; the far weaker passage stays out
    assert [b[0].hit.id for b in blocks] == ["first", "other"]


def test_a_nearly_as_good_unit_of_another_passage_is_a_short_second_block() -> None:
    first = _scored(_sentences(3), [0.80, 0.50, 0.50], hit_id="first", rank=0)
    other = _scored(_sentences(3), [0.50, 0.79, 0.50], hit_id="other", rank=1)
    weights = Weights(fill=400, cross_budget=100, short_unit=10)
    blocks = choose_blocks(sorted(first + other, key=lambda s: -s.score), weights)
    assert [b[0].hit.id for b in blocks] == ["first", "other"]
    assert [c.unit.position for c in blocks[1]] == [1]
    assert sum(len(c.unit.text) for b in blocks for c in b) <= 400


def test_a_second_block_from_another_page_must_come_closer_than_one_from_the_same() -> None:
    """Another page's sentence that merely shares the question's words is noise (the
    health insurance's "pro Monat" under "Was kostet die Kita im Monat?")."""
    weights = Weights(fill=400, cross_budget=100, short_unit=10, cross_gap=0.03)
    first = _scored(_sentences(2), [0.80, 0.50], hit_id="first", rank=0, source="kita.md")
    for source, expected in (("kita.md", ["first", "other"]), ("health.md", ["first"])):
        other = _scored(_sentences(2), [0.78, 0.50], hit_id="other", rank=1, source=source)
        blocks = choose_blocks(sorted(first + other, key=lambda s: -s.score), weights)
        assert [b[0].hit.id for b in blocks] == expected, source


def test_a_follow_up_answers_from_the_topic_passage_whose_unit_is_clearly_better() -> None:
    """ "How long does it take?" after the fee: the topic ranks the fee passage first, the
    follow-up's words find the processing time in the second; a unit only a little better
    ("and for children?" -> school duty) does not move the answer."""
    weights = Weights(fill=0, short_unit=10, cross_gap=0.0, follow_switch=0.03)

    def blocks(other_score: float, anywhere: bool) -> list[str]:
        first = _scored(_sentences(2), [0.80, 0.60], hit_id="fee", rank=0)
        other = _scored(_sentences(2), [other_score, 0.60], hit_id="duration", rank=1)
        ranked = sorted(first + other, key=lambda s: -s.score)
        return [b[0].hit.id for b in choose_blocks(ranked, weights, anywhere=anywhere)]

    assert blocks(0.90, anywhere=True)[0] == "duration"
    assert blocks(0.90, anywhere=False)[0] == "fee"  # a question of its own: the first passage
    assert blocks(0.82, anywhere=True)[0] == "fee"


def test_a_follow_up_leaves_its_topic_passage_only_for_a_page_of_the_conversation() -> None:
    """ "kostet das was?" after the Kita: the topic search also brought the naturalisation
    fee, whose unit scores far better; the answer stays on the conversation's pages."""
    weights = Weights(fill=0, short_unit=10, cross_gap=0.0, cross_gap_page=0.0)
    kita = _scored(_sentences(2), [0.80, 0.60], hit_id="kita", source="kita.md")
    fee = _scored(_sentences(2), [0.95, 0.60], hit_id="fee", rank=1, source="einbuergerung.md")
    ranked = sorted(kita + fee, key=lambda s: -s.score)

    def first(pages: frozenset[str] | None) -> str:
        return choose_blocks(ranked, weights, anywhere=True, pages=pages)[0][0].hit.id

    assert first(frozenset({"kita.md", "ankommen.md"})) == "kita"
    assert first(frozenset({"kita.md", "einbuergerung.md"})) == "fee"
    assert first(None) == "fee"  # pages unknown: the better unit anywhere


def test_a_translated_passage_competes_with_the_similarity_of_its_original() -> None:
    """The question is closer to a passage in its own language: a Ukrainian fee passage at
    0.90 (its German original at 0.82) must not push the German processing-time passage
    at 0.80 out of the candidates."""
    original = Hit("de-fee", "", {"source": "fee.md"}, 1.0, 0.82)
    translated = Hit("uk-fee", "", {"source": "uk/fee.md"}, 1.0, 0.90, original=original)
    duration = Hit("de-duration", "", {"source": "duration.md"}, 0.9, 0.80)
    result = RetrievalResult(hits=[translated, duration], language="uk", z_score=3.0, top_dense=0.9)
    assert [h.id for h in candidate_hits(result, gap=0.05)] == ["uk-fee", "de-duration"]
    plain = Hit("uk-own", "", {"source": "uk.md"}, 1.0, 0.90)
    result.hits = [plain, duration]
    assert [h.id for h in candidate_hits(result, gap=0.05)] == ["uk-own"]


def test_the_heading_line_drops_a_web_page_s_site_name() -> None:
    from bot.answering.answer import short_title

    assert short_title("Wohngeld beantragen | Stadt Siegburg") == "Wohngeld beantragen"
    assert short_title("Ausländerangelegenheiten - Termine - Rhein-Sieg-Kreis") == (
        "Ausländerangelegenheiten"
    )
    assert short_title("Der Antrag auf Einbürgerung") == "Der Antrag auf Einbürgerung"
    assert short_title("KI – Kontakt") == "KI – Kontakt"  # too short a first part: kept whole
    assert short_title("Rhein-Sieg-Kreis") == "Rhein-Sieg-Kreis"  # a hyphen inside a word


def test_heading_line_names_the_deepest_section_and_the_title_once() -> None:
    from bot.answering.answer import block_heading

    meta = {
        "title": "Migrationsberatung (MBE) | Sozialdienst e. V.",
        "section": "Häufige Fragen › Kann ich mit 25 kommen?",
        "source": "mbe.html",
    }
    assert block_heading(meta) == "Migrationsberatung (MBE) › Kann ich mit 25 kommen?"
    assert block_heading(meta, with_title=False) == "Kann ich mit 25 kommen?"
    assert block_heading({"title": "Einbürgerung"}, with_title=False) == "Einbürgerung"
    # a page without a title (a chunk's metadata may say None): the section alone
    assert block_heading({"title": None, "section": "Kosten"}) == "Kosten"
    assert block_heading({"section": "Kosten"}) == "Kosten"


def test_a_long_heading_line_keeps_a_telling_section_alone() -> None:
    """On a phone a heading line over 60 characters wraps; the page's title is in the list
    of sources. A short section name ("Kontakt") says nothing without its page."""
    from bot.answering.answer import block_heading

    title = "Wohnen: Wohnberechtigungsschein, Wohngeld und Mieterberatung"
    meta = {"title": title, "section": "WBS › Folgende Unterlagen sind dem Antrag beizufügen"}
    assert block_heading(meta) == "Folgende Unterlagen sind dem Antrag beizufügen"
    assert block_heading({"title": title, "section": "Kontakt"}) == f"{title} › Kontakt"
    short = {"title": "Wohngeld", "section": "Wer bekommt Wohngeld in Siegburg?"}
    assert block_heading(short) == "Wohngeld › Wer bekommt Wohngeld in Siegburg?"


def test_a_second_block_of_the_same_section_shares_the_first_one_s_heading(
    fake_embedder: object,
) -> None:
    """Two passages of one section (a long section is cut into several chunks) quoted
    together stand under one heading line, in document order; two sections that only
    share a heading ("Kontakt" twice on one page) keep theirs."""
    from bot.answering.answer import compose_extractive
    from bot.answering.compose import UnitStore

    def compose(second_part: int) -> str:
        meta = {"source": "einbuergerung.md", "title": "Einbürgerung", "section": "Kosten"}
        later = Hit("c2", "Die Einbürgerung kostet 255 Euro.", {**meta, "chunk": 3}, 1.0, 0.9)
        earlier = Hit(
            "c1",
            "Für Kinder kostet sie 51 Euro.",
            {**meta, "chunk": 2, "part": second_part},
            0.9,
            0.9,
        )
        later.metadata["part"] = 0
        result = RetrievalResult([later, earlier], "de", 3.0, 0.9)
        store = UnitStore(None, fake_embedder)  # type: ignore[arg-type]
        weights = Weights(cross_gap=1.0, cross_gap_page=1.0, fill=0, short_unit=0)
        question = "Was kostet die Einbürgerung?"
        vector = np.asarray(fake_embedder.embed_query(question))  # type: ignore[attr-defined]
        return compose_extractive(question, result, str.split, store, vector, weights).text

    one_section = compose(second_part=0)
    assert one_section.count("**") == 2, one_section  # one heading line
    assert one_section.startswith("**Einbürgerung › Kosten** [1]\n")
    assert one_section.index("51 Euro") < one_section.index("255 Euro"), "document order"
    two_sections = compose(second_part=5)
    assert two_sections.count("**") == 4, two_sections
