"""Leichte Sprache on the page and the staff's translation-demand report (counts only)."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from bot.answering.answer import Answer, Citation
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.i18n import EXAMPLES, PAGE_LANGUAGES, UI_TEXT, ui_text
from bot.indexing.build import build_index
from bot.indexing.format import FileEntry
from bot.staff.translation_demand import (
    build_report,
    demand_path,
    headline,
    record_demand,
    table_rows,
    translation_report,
)
from bot.web.chat_ui import ChatController
from tests.conftest import OneAnswer

QUESTION = "Wie viele Stunden hat der Integrationskurs? Ich heiße Frau Yilmaz."


class Untranslated(OneAnswer):
    """Answers from a document without a version in the asker's language; remembers the
    page language it was given."""

    def __init__(self) -> None:
        super().__init__(Citation(1, "integrationskurs.md", "Integrationskurs", "", 0.9, "600"))
        self.pages: list[object] = []

    def stream(self, question: str, history: object, page_language: object = None):  # noqa: ANN201
        self.pages.append(page_language)
        answer = Answer(question, "600", refused=False, language="de", sources=[self.cite])
        answer.untranslated = ("de-x-ls", "integrationskurs.md")
        yield answer


def test_page_offers_leichte_sprache_with_its_own_texts() -> None:
    assert PAGE_LANGUAGES["de-x-ls"] == "Leichte Sprache"
    for key in ("title", "subtitle", "language", "feedback", "helpful", "contact_link"):
        assert UI_TEXT[key]["de-x-ls"] != UI_TEXT[key]["de"], key
    assert ui_text("card_german", "de-x-ls") == "", "falls back to German, not to a gap"
    assert len(EXAMPLES["de-x-ls"]) == len(EXAMPLES["de"]), "one text per example button"


def test_chat_passes_the_page_language_and_counts_without_question_text(
    settings: Settings,
) -> None:
    assistant = Untranslated()
    controller = ChatController(settings, assistant)  # type: ignore[arg-type]
    list(controller.respond(QUESTION, [], None, None, "de-x-ls"))
    list(controller.respond(QUESTION, [], None))
    assert assistant.pages == ["de-x-ls", None]
    path = demand_path(settings)
    text = path.read_text(encoding="utf-8")
    assert "Integrationskurs?" not in text and "Yilmaz" not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert [sorted(r) for r in records] == [["day", "language", "source"]] * 2
    assert records[0]["language"] == "de-x-ls" and records[0]["source"] == "integrationskurs.md"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_answer_with_a_version_is_not_counted(settings: Settings) -> None:
    controller = ChatController(settings, OneAnswer())  # type: ignore[arg-type]
    list(controller.respond("Was kostet die Einbürgerung?", [], None))
    assert not demand_path(settings).exists()


def test_old_counts_are_deleted_and_only_30_days_reported(settings: Settings) -> None:
    path = demand_path(settings)
    today = dt.date(2026, 11, 20)
    record_demand(path, "ar", "a.md", today=today - dt.timedelta(days=40))
    record_demand(path, "ar", "a.md", today=today - dt.timedelta(days=2))
    report = translation_report(settings, today=today)
    assert report.answers_without_version == {"ar": 1}
    assert "1 Antwort aus Dokumenten" in headline(report), "singular"
    assert len(path.read_text(encoding="utf-8").splitlines()) == 1


FILES = {
    "a.md": FileEntry("1", "Einbürgerung", updated="2026-10-01"),
    "translations/en/a.md": FileEntry(
        "2", "Naturalisation", updated="2026-10-01", lang="en", translation_of="a.md"
    ),
    "translations/ar/a.md": FileEntry(
        "3", "التجنس", updated="2026-09-01", lang="ar", translation_of="a.md"
    ),
    "b.md": FileEntry("4", "Integrationskurs", updated="2026-09-01"),
    "leaflet.md": FileEntry("5", "Leaflet", updated="2026-09-01", lang="en"),
}


def test_report_lists_versions_outdated_ones_and_demand_per_language() -> None:
    records = [
        {"day": "2026-11-01", "language": "fa", "source": "b.md"},
        {"day": "2026-11-02", "language": "fa", "source": "b.md"},
        {"day": "2026-11-02", "language": "de-x-ls", "source": "a.md"},
    ]
    report = build_report(FILES, records, 30)
    docs = {d.source: d for d in report.documents}
    assert set(docs) == {"a.md", "b.md", "leaflet.md"}, "translations are no rows of their own"
    a = docs["a.md"]
    assert a.versions["en"].state == "current" and a.versions["en"].source.endswith("en/a.md")
    assert a.versions["ar"].state == "outdated" and a.versions["ar"].updated == "2026-09-01"
    assert a.versions["tr"].state == "missing"
    assert docs["b.md"].demand == {"fa": 2} and a.demand == {"de-x-ls": 1}
    assert "en" not in docs["leaflet.md"].versions and "de" in docs["leaflet.md"].versions
    assert report.documents[0].source == "b.md", "most asked-for first"
    assert report.answers_without_version == {"fa": 2, "de-x-ls": 1}
    rows = {row[0]: row for row in table_rows(report)}
    column = {lang: i + 1 for i, lang in enumerate(report.languages)}
    assert rows["b.md"][column["fa"]] == "fehlt – 2 Fragen"
    assert rows["a.md"][column["ar"]] == "veraltet (Stand 2026-09-01)"
    assert rows["a.md"][column["en"]] == "aktuell"
    assert "Persisch 2" in headline(report) and "Leichte Sprache 1" in headline(report)
    assert "question" not in json.dumps(report.public())


def test_report_from_the_serving_index_and_cli_json(
    settings: Settings, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # noqa: ANN001
    (corpus_dir / "a.md").write_text(
        "---\nupdated: 2026-10-01\n---\n# Einbürgerung\n\n## Kosten\n255 Euro.\n", encoding="utf-8"
    )
    (corpus_dir / "a-en.md").write_text(
        "---\nlang: en\ntranslation_of: a.md\nupdated: 2026-09-01\n---\n# Naturalisation\n\n"
        "## Costs\n255 euros.\n",
        encoding="utf-8",
    )
    build_index(settings, make_embedder("fake"))
    record_demand(demand_path(settings), "tr", "a.md")
    doc = translation_report(settings).documents[0]
    assert (doc.source, doc.versions["en"].state, doc.demand) == ("a.md", "outdated", {"tr": 1})

    from bot.cli import main

    for key, value in {
        "BOT_CORPUS_DIR": corpus_dir,
        "BOT_INDEX_DIR": settings.index_dir,
        "BOT_DATA_DIR": settings.data_dir,
        "BOT_EMBEDDING_MODEL": "fake",
    }.items():
        monkeypatch.setenv(key, str(value))
    assert main(["report", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"gaps", "expiring", "translations"} <= set(out)
    assert out["translations"]["answers_without_version"] == {"tr": 1}
