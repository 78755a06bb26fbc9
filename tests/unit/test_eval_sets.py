"""Every evaluation set in tests/eval/*.jsonl and tests/eval/district_b/*.jsonl: format,
languages, documents and facts (district_b's against its own corpus).

A fact that is not a verbatim substring of its document can never be hit, so a typo or a
changed document would silently lower the fact hit rate; this catches it before a run.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from bot.answering.intents import INTENTS
from bot.ingest.loaders import load_document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
# raw files: the questions as written before anyone read the pages, no labels (own key set)
EVAL_RAW = {"round2_raw.jsonl"}
EVAL_FILES = sorted(p for p in (ROOT / "tests" / "eval").glob("*.jsonl") if p.name not in EVAL_RAW)
RAW_KEYS = {"q", "lang"}
DISTRICT_B = ROOT / "tests" / "eval" / "district_b"
DISTRICT_B_CORPUS = DISTRICT_B / "corpus"
# the raw files hold the questions as written, before anyone read the pages: no labels
DISTRICT_B_RAW = {"questions_raw.jsonl", "conversations_raw.jsonl", "round2_raw.jsonl"}
DISTRICT_B_FILES = sorted(p for p in DISTRICT_B.glob("*.jsonl") if p.name not in DISTRICT_B_RAW)
LANGS = {"de", "en", "tr", "ar", "uk", "ru", "fa", "de-x-ls"}
QUESTION_KEYS = {"q", "doc", "fact", "lang"}
OPTIONAL_KEYS = {"original"}  # the original of a translated `doc`
TURN_KEYS = {"q", "doc", "fact"}
# answer-card sets (scripts/calibrate_cards.py): the card that covers a question, or the card
# a near miss resembles; both name a card file in corpus/_antwortkarten/
CARD_KEYS = {
    "card_questions.jsonl": {"q", "lang", "card"},
    "card_near_miss.jsonl": {"q", "lang", "near"},
    # questions only an office can answer, and answerable ones with the same trigger words
    # (bot/answering/intents.py; tests/unit/test_intents.py)
    "intent_probe.jsonl": {"q", "lang", "label"},
}
INTENT_LABELS = {intent.name for intent in INTENTS} | {"answerable"}


@cache
def corpus_text(doc: str, corpus: Path = CORPUS) -> str:
    """Text of a corpus document as the project's loader yields it (cached: the PDF is slow)."""
    return load_document(corpus / doc, corpus, 20 * 1024 * 1024, parse_timeout=20).text


def read_lines(path: Path) -> list[dict]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"{path.name}:{number}: empty line"
        item = json.loads(line)
        assert isinstance(item, dict), f"{path.name}:{number}: not an object"
        items.append(item)
    return items


def check_label(where: str, item: dict, corpus: Path = CORPUS) -> None:
    assert isinstance(item["q"], str) and item["q"].strip(), f"{where}: empty question"
    doc, fact = item["doc"], item["fact"]
    if doc is None:
        assert fact is None, f"{where}: fact without doc"
        return
    assert isinstance(doc, str) and (corpus / doc).is_file(), f"{where}: no document {doc!r}"
    if fact is not None:
        assert isinstance(fact, str) and fact.strip(), f"{where}: empty fact"
        assert fact in corpus_text(doc, corpus), f"{where}: fact {fact!r} not in {doc}"


def check_original(where: str, item: dict) -> None:
    """`original` is a corpus file, and `doc` is its translation in the question's language."""
    from bot.ingest.documents import split_front_matter

    original = item["original"]
    assert (CORPUS / original).is_file(), f"{where}: no original {original!r}"
    meta, _ = split_front_matter((CORPUS / item["doc"]).read_text(encoding="utf-8"))
    assert meta.get("translation_of") == original, f"{where}: {item['doc']} translates another"
    assert meta.get("lang") == item["lang"], f"{where}: {item['doc']} is not in {item['lang']}"


def test_eval_files_exist() -> None:
    names = {p.name for p in EVAL_FILES}
    assert {
        "questions.jsonl",
        "citizen_questions.jsonl",
        "citizen_conversations.jsonl",
        "round2.jsonl",
    } <= names


def check_conversation(where: str, item: dict, corpus: Path) -> None:
    assert set(item) == {"lang", "turns"}, f"{where}: keys {sorted(item)}"
    assert item["lang"] in LANGS, f"{where}: language {item['lang']!r}"
    assert len(item["turns"]) >= 2, f"{where}: a conversation needs follow-ups"
    for turn_no, turn in enumerate(item["turns"], start=1):
        assert set(turn) == TURN_KEYS, f"{where} turn {turn_no}: keys {sorted(turn)}"
        check_label(f"{where} turn {turn_no}", turn, corpus)


@pytest.mark.parametrize("path", EVAL_FILES, ids=lambda p: p.name)
def test_eval_file_format_documents_and_facts(path: Path) -> None:
    items = read_lines(path)
    assert items, f"{path.name}: no lines"
    for number, item in enumerate(items, start=1):
        where = f"{path.name}:{number}"
        if path.name in CARD_KEYS:
            assert set(item) == CARD_KEYS[path.name], f"{where}: keys {sorted(item)}"
            assert item["lang"] in LANGS, f"{where}: language {item['lang']!r}"
            assert isinstance(item["q"], str) and item["q"].strip(), f"{where}: empty question"
            if "label" in item:
                assert item["label"] in INTENT_LABELS, f"{where}: label {item['label']!r}"
                continue
            card = item.get("card") or item.get("near")
            assert (CORPUS / "_antwortkarten" / f"{card}.md").is_file(), f"{where}: no card {card}"
        elif "turns" in item:
            check_conversation(where, item, CORPUS)
        else:
            assert QUESTION_KEYS <= set(item) <= QUESTION_KEYS | OPTIONAL_KEYS, (
                f"{where}: keys {sorted(item)}"
            )
            assert item["lang"] in LANGS, f"{where}: language {item['lang']!r}"
            check_label(where, item)
            if "original" in item:
                check_original(where, item)


@pytest.mark.parametrize("path", DISTRICT_B_FILES, ids=lambda p: f"district_b/{p.name}")
def test_district_b_file_format_documents_and_facts(path: Path) -> None:
    """District B is labelled against its own corpus, never against corpus/."""
    items = read_lines(path)
    assert items, f"{path.name}: no lines"
    for number, item in enumerate(items, start=1):
        where = f"district_b/{path.name}:{number}"
        if "turns" in item:
            check_conversation(where, item, DISTRICT_B_CORPUS)
        else:
            assert set(item) == QUESTION_KEYS, f"{where}: keys {sorted(item)}"
            assert item["lang"] in LANGS, f"{where}: language {item['lang']!r}"
            check_label(where, item, DISTRICT_B_CORPUS)


def test_district_b_labels_keep_the_raw_questions() -> None:
    """The labelled sets hold exactly the raw questions, in order, and the raw files stay
    unlabelled (they record what was written before anyone read the pages)."""
    pairs = (
        ("questions_raw.jsonl", "questions.jsonl"),
        ("conversations_raw.jsonl", "conversations.jsonl"),
        ("round2_raw.jsonl", "round2.jsonl"),
    )
    for raw_name, labelled_name in pairs:
        raw = read_lines(DISTRICT_B / raw_name)
        labelled = read_lines(DISTRICT_B / labelled_name)
        for item in raw:
            assert "doc" not in item and "fact" not in item, raw_name
            assert all(set(turn) == {"q"} for turn in item.get("turns", [])), raw_name
        asked = [
            (i["lang"], i["q"] if "q" in i else [t["q"] for t in i["turns"]]) for i in labelled
        ]
        written = [(i["lang"], i["q"] if "q" in i else [t["q"] for t in i["turns"]]) for i in raw]
        assert asked == written, labelled_name


def test_district_b_labelled_files_are_all_checked() -> None:
    """The labelled sets are among the checked files and no raw file is, so a renamed file
    cannot silently drop out of the fact check."""
    names = {p.name for p in DISTRICT_B_FILES}
    assert {"questions.jsonl", "conversations.jsonl", "round2.jsonl"} <= names
    assert not names & DISTRICT_B_RAW


def test_district_b_round2_halves_hold_both_kinds_in_every_language() -> None:
    """round2.jsonl is split by line: odd lines tune, even lines report. Each half needs
    answerable and unanswerable questions in every language, or a rate is missing there."""
    items = read_lines(DISTRICT_B / "round2.jsonl")
    languages = {i["lang"] for i in items}
    for start in (0, 1):
        kinds = {(i["lang"], i["doc"] is not None) for i in items[start::2]}
        assert kinds == {(lang, kind) for lang in languages for kind in (True, False)}, start


def test_round2_labels_keep_the_raw_questions() -> None:
    """round2.jsonl holds exactly round2_raw.jsonl's questions and languages, in order: the
    raw file, committed before the pages were read, stays unlabelled, and labelling changed
    no question. The odd/even split (odd lines tune, even lines report) relies on the order."""
    evaldir = ROOT / "tests" / "eval"
    raw = read_lines(evaldir / "round2_raw.jsonl")
    labelled = read_lines(evaldir / "round2.jsonl")
    for number, item in enumerate(raw, start=1):
        assert set(item) == RAW_KEYS, f"round2_raw.jsonl:{number}: keys {sorted(item)}"
        assert item["lang"] in LANGS, f"round2_raw.jsonl:{number}: language {item['lang']!r}"
        assert isinstance(item["q"], str) and item["q"].strip(), f"round2_raw.jsonl:{number}"
    assert [(i["lang"], i["q"]) for i in labelled] == [(i["lang"], i["q"]) for i in raw]
    questions = [i["q"].strip().lower() for i in raw]
    assert len(questions) == len(set(questions))


def test_round2_facts_are_short() -> None:
    """A fact is a short piece (2-8 words) an answer must contain, not a copied paragraph
    that only a passage quote could hit."""
    for number, item in enumerate(read_lines(ROOT / "tests" / "eval" / "round2.jsonl"), 1):
        if item["fact"] is not None:
            assert 2 <= len(item["fact"].split()) <= 8, f"round2.jsonl:{number}: {item['fact']!r}"


def test_district_b_fact_check_uses_its_own_corpus() -> None:
    """A district_b fact is looked up in district_b's corpus: the same label fails there
    when the page is missing from it, so a mix-up of the two corpora is reported."""
    label = {"q": "?", "doc": "einbuergerung-nrw-infoblatt.txt", "fact": "255,00 EUR"}
    check_label("x", label, DISTRICT_B_CORPUS)
    with pytest.raises(AssertionError, match="no document"):
        check_label("x", label)
    with pytest.raises(AssertionError, match="not in"):
        check_label("x", {**label, "fact": "255,01 EUR"}, DISTRICT_B_CORPUS)


def test_card_sets_are_balanced_for_the_odd_even_split() -> None:
    """Two questions per card and language one after the other: both halves of the split
    (odd lines calibrate, even lines are held out) hold every card in every language."""
    for name, key in (("card_questions.jsonl", "card"), ("card_near_miss.jsonl", "near")):
        items = read_lines(ROOT / "tests" / "eval" / name)
        halves = [sorted((i[key], i["lang"]) for i in items[start::2]) for start in (0, 1)]
        assert halves[0] == halves[1], name
        questions = [i["q"] for i in items]
        assert len(questions) == len(set(questions)), name


def test_citizen_set_has_no_duplicate_questions() -> None:
    items = read_lines(ROOT / "tests" / "eval" / "citizen_questions.jsonl")
    questions = [i["q"].strip().lower() for i in items]
    assert len(questions) == len(set(questions))


def test_fact_check_rejects_a_fact_missing_from_its_document() -> None:
    """The check itself must bite: a fact changed by one character is reported."""
    with pytest.raises(AssertionError, match="not in einbuergerung.md"):
        check_label("x", {"q": "?", "doc": "einbuergerung.md", "fact": "256 Euro"})
    with pytest.raises(AssertionError, match="no document"):
        check_label("x", {"q": "?", "doc": "gibt-es-nicht.md", "fact": None})


def split_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("split_eval", ROOT / "scripts" / "split_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_test_split_is_a_fixed_partition_of_questions() -> None:
    """dev.jsonl + test.jsonl are exactly questions.jsonl, disjoint, and what the script makes."""
    module = split_module()
    evaldir = ROOT / "tests" / "eval"
    lines = (evaldir / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    dev = (evaldir / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    test = (evaldir / "test.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(dev + test) == sorted(lines)
    assert not set(dev) & set(test)
    assert (dev, test) == module.split(lines)
    assert 0.55 <= len(dev) / len(lines) <= 0.65


def test_district_b_split_is_a_fixed_partition() -> None:
    """District B's dev and test files are exactly its labelled sets, disjoint, about half
    each, and byte for byte what scripts/split_eval.py writes."""
    module = split_module()
    for path, lines in module.outputs().items():
        assert path.read_text(encoding="utf-8") == "\n".join(lines) + "\n", path.name
    for source, dev_name, test_name in (
        ("questions.jsonl", "dev.jsonl", "test.jsonl"),
        ("conversations.jsonl", "dev_conversations.jsonl", "test_conversations.jsonl"),
        ("round2.jsonl", "round2_dev.jsonl", "round2_test.jsonl"),
    ):
        lines = (DISTRICT_B / source).read_text(encoding="utf-8").splitlines()
        dev = (DISTRICT_B / dev_name).read_text(encoding="utf-8").splitlines()
        test = (DISTRICT_B / test_name).read_text(encoding="utf-8").splitlines()
        assert sorted(dev + test) == sorted(lines), source
        assert not set(dev) & set(test), source
        assert 0.45 <= len(dev) / len(lines) <= 0.55, source


def test_round2_dev_and_test_are_its_odd_and_even_lines() -> None:
    """Round 2 (both corpora) tunes on its odd lines and reports on its even lines only."""
    for folder in (ROOT / "tests" / "eval", DISTRICT_B):
        lines = (folder / "round2.jsonl").read_text(encoding="utf-8").splitlines()
        assert (folder / "round2_dev.jsonl").read_text(encoding="utf-8").splitlines() == lines[::2]
        assert (folder / "round2_test.jsonl").read_text(encoding="utf-8").splitlines() == (
            lines[1::2]
        )


def test_mid_sentence_start_is_detected_under_a_heading() -> None:
    from bot.answering.evaluation import starts_mid_sentence

    assert starts_mid_sentence("**Kosten** [1]\nbzw. 51 Euro für Kinder.")
    assert starts_mid_sentence("**Kosten** [1]\n… 51 Euro für Kinder.")
    assert not starts_mid_sentence("**Kosten** [1]\nDie Gebühr beträgt 255 Euro.\n- Pass")
    assert not starts_mid_sentence("Yanıt (Almanca alıntı):\n\n**Kosten** [1]\n- Pass, Foto")


def test_conversation_lines_become_turns_asked_with_their_history(tmp_path: Path) -> None:
    from bot.answering.answer import Answer
    from bot.answering.evaluation import load_questions, run_eval

    path = tmp_path / "conv.jsonl"
    turns = [
        {"q": "Was kostet das?", "doc": "a.md", "fact": "10 Euro"},
        {"q": "Und für Kinder?", "doc": "a.md", "fact": "5 Euro"},
    ]
    path.write_text(json.dumps({"lang": "de", "turns": turns}) + "\n", encoding="utf-8")
    questions = load_questions(path)
    assert [(q["q"], q["turn"]) for q in questions] == [
        ("Was kostet das?", 0),
        ("Und für Kinder?", 1),
    ]

    class Remembering:
        def __init__(self) -> None:
            self.seen: list[list[tuple[str, str]] | None] = []

        def ask(self, question: str, history: list[tuple[str, str]] | None = None) -> Answer:
            self.seen.append(list(history) if history else None)
            return Answer(
                question, "10 Euro, für Kinder 5 Euro", refused=False, language="de", sources=[]
            )

    assistant = Remembering()
    metrics = run_eval(assistant, questions)
    assert assistant.seen == [None, [("Was kostet das?", "10 Euro, für Kinder 5 Euro")]]
    assert metrics["follow_ups"]["questions"] == 1
    assert metrics["overall"]["fact_hit_rate"] == 1.0


def test_a_translation_is_its_own_document_and_its_original_counts(tmp_path: Path) -> None:
    """A German question citing a translation has not cited the original; a question in
    another language citing the translation or the original has cited its document."""
    from bot.answering.answer import Answer, Citation
    from bot.answering.evaluation import run_eval

    translation = Citation(
        1, "translations/en/a.md", "A", "", 0.9, "x", translation_of="a.md", lang="en"
    )
    original = Citation(2, "a.md", "A", "", 0.9, "x")

    class Fixed:
        def __init__(self, cites: list[Citation]) -> None:
            self.cites = cites

        def ask(self, question: str, history: object = None) -> Answer:
            return Answer(question, "10 Euro", refused=False, language="en", sources=self.cites)

    german = [{"q": "Was?", "doc": "a.md", "fact": None, "lang": "de"}]
    assert run_eval(Fixed([translation]), german)["overall"]["recall@1"] == 0.0
    assert run_eval(Fixed([original]), german)["overall"]["recall@1"] == 1.0
    labelled_original = [{"q": "Why?", "doc": "a.md", "fact": None, "lang": "en"}]
    assert run_eval(Fixed([translation]), labelled_original)["overall"]["recall@1"] == 1.0
    english = [
        {
            "q": "What?",
            "doc": "translations/en/a.md",
            "fact": None,
            "lang": "en",
            "original": "a.md",
        }
    ]
    quoted = run_eval(Fixed([translation, original]), english)["non_german"]
    assert (quoted["recall@1"], quoted["answered_from_translation"]) == (1.0, 1.0)
    other = Citation(3, "b.md", "B", "", 0.9, "x")
    second = [{"q": "Why?", "doc": "b.md", "fact": None, "lang": "en"}]
    versions_then_other = run_eval(Fixed([translation, original, other]), second)["overall"]
    assert versions_then_other["recall@1"] == 0.0 and versions_then_other["recall@3"] == 1.0
    assert run_eval(Fixed([translation, original, other]), german)["overall"]["recall@1"] == 0.0

    class Quoting(Fixed):
        def ask(self, question: str, history: object = None) -> Answer:
            return Answer(question, "255 euros", refused=False, language="en", sources=self.cites)

    german_fact = [{"q": "How much?", "doc": "a.md", "fact": "255 Euro", "lang": "en"}]
    quoted = run_eval(Quoting([translation, original]), german_fact)["overall"]
    assert (quoted["fact_hit_rate"], quoted["facts_in_another_language"]) == (None, 1)
    own_fact = [{**german_fact[0], "doc": "translations/en/a.md", "fact": "255 euros"}]
    assert run_eval(Quoting([translation]), own_fact)["overall"]["fact_hit_rate"] == 1.0
    wrong = Citation(1, "translations/en/b.md", "B", "", 0.9, "x", translation_of="b.md")
    wrong_document = run_eval(Quoting([wrong]), german_fact)["overall"]
    assert (wrong_document["fact_hit_rate"], wrong_document["facts_in_another_language"]) == (0, 0)
    from_original = run_eval(Quoting([original]), german_fact)["overall"]
    assert (from_original["fact_hit_rate"], from_original["facts_in_another_language"]) == (0, 0)
    untranslated = run_eval(Fixed([original]), english)["non_german"]
    assert (untranslated["recall@1"], untranslated["answered_from_translation"]) == (1.0, 0.0)
