"""Managing the corpus from the staff area: validated uploads, listing, deleting.

An upload must have an allowed type, fit the size limit, really be what its name says
(the pre-check of its entry in `bot.ingest.loaders`: PDF header, DOCX/ODT zip without bomb, text
that decodes), and get a sanitised file name
that cannot leave the corpus folder. Existing files are only replaced on confirmation.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.indexing.build import current_generation, entry_is_current, read_manifest
from bot.indexing.format import FileEntry, LastRun, read_last_run
from bot.ingest.documents import (
    DocumentError,
    iter_corpus_files,
    language_tag,
    original_name,
    split_front_matter,
)
from bot.ingest.loaders import allowed_types, loader_for

_TRANSLIT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


class UploadError(ValueError):
    """The upload is refused; the message is shown to staff (German)."""


class NeedsConfirmation(UploadError):
    """A file of that name exists; replacing it needs an explicit confirmation."""


def too_large(size: int, max_bytes: int) -> UploadError:
    """The refusal for a file over the size limit (checked on disk and again on content)."""
    return UploadError(
        f"Die Datei ist zu groß ({size / 1048576:.1f} MB, erlaubt {max_bytes / 1048576:.0f} MB)."
    )


def sanitize_filename(name: str) -> str:
    """A safe, readable file name: no folders, no dots in front, ASCII letters, digits, -_."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base).translate(_TRANSLIT)
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.")[:80]
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()
    if not stem or stem.lower() in _WINDOWS_RESERVED:
        raise UploadError("Ungültiger Dateiname.")
    return f"{stem}.{suffix}" if suffix else stem


def check_content(name: str, data: bytes, max_bytes: int) -> None:
    """Refuse files whose content does not fit their type, before they reach the corpus."""
    loader = loader_for(name)
    if loader is None:
        suffix = Path(name).suffix.lower()
        raise UploadError(
            f"Dateityp {suffix or '(ohne Endung)'} ist nicht erlaubt ({allowed_types()})."
        )
    if not data:
        raise UploadError("Die Datei ist leer.")
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    try:
        loader.check(data)  # header, zip contents and zip-bomb limits, text that decodes
    except DocumentError as exc:
        raise UploadError(str(exc)) from exc


def _inside(folder: Path, name: str) -> Path:
    root = folder.resolve()
    path = (root / name).resolve()
    if path.parent != root:
        raise UploadError("Ungültiger Dateipfad.")
    return path


def save_upload(settings: Settings, original_name: str, data: bytes, replace: bool = False) -> str:
    """Validate and store an upload; returns the stored (sanitised) name."""
    name = sanitize_filename(original_name)
    check_content(name, data, settings.max_file_bytes)
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    path = _inside(settings.corpus_dir, name)
    if path.exists() and not replace:
        raise NeedsConfirmation(
            f"„{name}“ gibt es schon. Zum Ersetzen bitte „Vorhandene Datei ersetzen“ anhaken."
        )
    tmp = path.with_name(f".upload-{secrets.token_hex(6)}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return name


def delete_document(settings: Settings, name: str) -> None:
    path = _inside(settings.corpus_dir, name)
    if not path.is_file():
        raise UploadError(f"„{name}“ gibt es nicht.")
    path.unlink()


def document_path(settings: Settings, name: str) -> Path:
    path = _inside(settings.corpus_dir, name)
    if not path.is_file():
        raise UploadError(f"„{name}“ gibt es nicht.")
    return path


@dataclass
class DocumentRow:
    name: str
    title: str
    updated: str
    valid_until: str
    lang: str  # "de" when the document names none
    translation_of: str
    size_kb: float
    status: str


def _indexed_files(settings: Settings) -> dict[str, FileEntry]:
    """The serving generation's files; none when there is no readable index."""
    generation = current_generation(settings.index_dir)
    if not generation:
        return {}
    try:
        return read_manifest(settings.index_dir, generation).files
    except Exception:
        return {}


def last_run(settings: Settings) -> LastRun:
    """The last indexing run's report; an empty one when there was none or it is unreadable."""
    return read_last_run(settings.index_dir) or LastRun()


def list_documents(settings: Settings) -> list[DocumentRow]:
    """Every corpus file with title, dates, size and whether the index has this version."""
    files = _indexed_files(settings)
    skipped = {s.source: s.error for s in last_run(settings).skipped}
    rows: list[DocumentRow] = []
    if not settings.corpus_dir.is_dir():
        return rows
    for path in iter_corpus_files(settings.corpus_dir):
        source = path.relative_to(settings.corpus_dir).as_posix()
        entry = files.get(source)
        size = path.stat().st_size
        title, updated, valid_until = (
            (entry.title, entry.updated, entry.valid_until) if entry else (None, None, None)
        )
        lang, original = (entry.lang, entry.translation_of) if entry else (None, None)
        if source in skipped:
            status = f"Fehler: {skipped[source]}"
        elif not entry:
            status = "neu – noch nicht im Index"
        elif entry_is_current(path, entry, settings):
            status = "im Index"
        else:
            status = "geändert – Index aktualisieren"
        loader = loader_for(path)
        if title is None and loader is not None and loader.front_matter:
            try:
                meta, _ = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
                title = meta.get("title")
                lang = language_tag(meta.get("lang"))
                original = original_name(meta.get("translation_of"))
            except DocumentError:
                pass
        rows.append(
            DocumentRow(
                source,
                str(title or ""),
                str(updated or ""),
                str(valid_until or ""),
                lang or "de",
                original or "",
                round(size / 1024, 1),
                status,
            )
        )
    return rows


def expiring_documents(settings: Settings, within_days: int = 30) -> list[dict[str, str]]:
    """Documents whose `valid_until` has passed or is near: staff must check them."""
    today = dt.date.today()
    out = []
    for source, entry in _indexed_files(settings).items():
        value = entry.valid_until
        if not value:
            continue
        try:
            until = dt.date.fromisoformat(str(value))
        except ValueError:
            continue
        days = (until - today).days
        if days <= within_days:
            state = "abgelaufen" if days < 0 else f"läuft in {days} Tagen ab"
            out.append({"source": source, "valid_until": until.isoformat(), "state": state})
    return sorted(out, key=lambda e: e["valid_until"])
