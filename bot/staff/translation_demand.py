"""Which translations citizens need: per document and language, which versions exist, which
are outdated, and how often a question in that language was answered from a document that
has no version in it.

What goes in (from the chat, `Answer.untranslated`): the day, the asker's language and the
original's file name, one line per such answer. Never the question, no IP, no session, no
time of day: counts are all the report needs. The file is readable by its owner only and
lines older than `BOT_GAPS_RETENTION_DAYS` (30) are deleted on every write and read, as the
gaps file's are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.i18n import EASY_GERMAN, LANGUAGES
from bot.indexing.build import current_generation, read_manifest
from bot.indexing.format import FileEntry
from bot.ingest.documents import is_outdated, resolve_original
from bot.staff.feedback import append_record, read_feedback

DEFAULT_RETENTION_DAYS = 30
# the languages the report always shows (the page's languages besides German)
REPORT_LANGUAGES = [*[code for code in LANGUAGES if code != "de"], EASY_GERMAN]
# column names for staff
LANGUAGE_LABELS = {
    "en": "Englisch",
    "tr": "Türkisch",
    "ar": "Arabisch",
    "uk": "Ukrainisch",
    "ru": "Russisch",
    "fa": "Persisch",
    EASY_GERMAN: "Leichte Sprache",
}


def demand_path(settings: Settings) -> Path:
    """Where the counts live (one place for the chat, the staff area and the CLI)."""
    return settings.data_dir / "translation_demand.jsonl"


def record_demand(
    path: Path,
    language: str,
    source: str,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Count one answer in `language` quoted from `source`, which has no version in it."""
    record = {
        "day": (today or dt.date.today()).isoformat(),
        "language": str(language)[:12],
        "source": str(source)[:300],
    }
    append_record(path, record, retention_days, today)
    return record


@dataclass
class VersionState:
    """One language of one document: its file, its date and "current", "outdated" (older
    than the original) or "missing"."""

    state: str
    source: str | None = None
    updated: str | None = None


@dataclass
class DocumentVersions:
    source: str
    title: str
    lang: str
    updated: str | None
    versions: dict[str, VersionState] = field(default_factory=dict)
    demand: dict[str, int] = field(default_factory=dict)  # language -> answers without

    @property
    def total_demand(self) -> int:
        return sum(self.demand.values())


@dataclass
class TranslationReport:
    days: int
    languages: list[str]
    documents: list[DocumentVersions]
    answers_without_version: dict[str, int]  # language -> answers, all documents

    def public(self) -> dict[str, Any]:
        """For `bot report --json`: counts, file names and dates, no question text."""
        return asdict(self)


def _serving_files(settings: Settings) -> dict[str, FileEntry]:
    generation = current_generation(settings.index_dir)
    if not generation:
        return {}
    try:
        return read_manifest(settings.index_dir, generation).files
    except Exception:  # no readable index: the report shows the counts alone
        return {}


def build_report(
    files: dict[str, FileEntry], records: list[dict[str, Any]], days: int
) -> TranslationReport:
    """The report from the serving index's files and the counted answers."""
    declared = {s: e.translation_of for s, e in files.items() if e.translation_of}
    originals = [s for s in files if s not in declared]
    family: dict[str, dict[str, str]] = {s: {} for s in originals}
    for source, name in declared.items():
        original = resolve_original(str(name), source, originals)
        if original is not None:
            family[original].setdefault(files[source].lang or "de", source)
    demand = Counter(
        (str(r.get("source", "")), str(r.get("language", ""))) for r in records if r.get("source")
    )
    found = {lang for versions in family.values() for lang in versions}
    found |= {lang for _, lang in demand}
    if any((files[s].lang or "de") != "de" for s in originals):
        found.add("de")  # an original in another language may lack its German version
    # the page's languages first (the staff table's columns), others after them
    languages = REPORT_LANGUAGES + sorted(found - set(REPORT_LANGUAGES))
    documents = []
    for source in originals:
        entry = files[source]
        own = entry.lang or "de"
        row = DocumentVersions(source, entry.title, own, entry.updated)
        for lang in languages:
            if lang == own:
                continue
            translation = family[source].get(lang)
            if translation is None:
                row.versions[lang] = VersionState("missing")
            else:
                date = files[translation].updated
                old = is_outdated(date, entry.updated)
                row.versions[lang] = VersionState(
                    "outdated" if old else "current", translation, date
                )
            count = demand.get((source, lang), 0)
            if count:
                row.demand[lang] = count
        documents.append(row)
    # a document the index no longer holds keeps its counts
    by_source = {d.source: d for d in documents}
    for source, lang in sorted(key for key in demand if key[0] not in family):
        row = by_source.setdefault(source, DocumentVersions(source, "", "", None))
        if row not in documents:
            documents.append(row)
        row.demand[lang] = demand[(source, lang)]
    documents.sort(key=lambda d: (-d.total_demand, d.source))
    totals: Counter[str] = Counter()
    for (_, lang), count in demand.items():
        totals[lang] += count
    return TranslationReport(days, languages, documents, dict(totals.most_common()))


def translation_report(settings: Settings, today: dt.date | None = None) -> TranslationReport:
    """The report of the last `gaps_retention_days` days, for the staff area and the CLI."""
    days = settings.gaps_retention_days
    records = read_feedback(demand_path(settings), days, today)
    return build_report(_serving_files(settings), records, days)


STATE_LABELS = {"current": "aktuell", "outdated": "veraltet", "missing": "fehlt"}


def table_rows(report: TranslationReport) -> list[list[str]]:
    """One row per document for staff: the file, then per language "aktuell", "veraltet
    (Stand ...)" or "fehlt", with the number of answers that lacked that version."""
    rows = []
    for doc in report.documents:
        cells = [doc.source]
        for lang in report.languages:
            version = doc.versions.get(lang)
            if version is None:
                text = "Original" if lang == doc.lang else ""
            else:
                text = STATE_LABELS[version.state]
                if version.state == "outdated" and version.updated:
                    text += f" (Stand {version.updated})"
            count = doc.demand.get(lang, 0)
            if count:
                text += f" – {count} {'Frage' if count == 1 else 'Fragen'}"
            cells.append(text)
        rows.append(cells)
    return rows


def headline(report: TranslationReport) -> str:
    """One German sentence with the counts per language."""
    total = sum(report.answers_without_version.values())
    if not total:
        return (
            f"In den letzten {report.days} Tagen wurde keine Frage aus einem Dokument "
            "beantwortet, das es in der Sprache der Frage nicht gibt."
        )
    parts = ", ".join(
        f"{LANGUAGE_LABELS.get(lang, lang)} {count}"
        for lang, count in report.answers_without_version.items()
    )
    answers = "1 Antwort" if total == 1 else f"{total} Antworten"
    return (
        f"In den letzten {report.days} Tagen: {answers} aus Dokumenten, die es in der "
        f"Sprache der Frage nicht gibt ({parts})."
    )
