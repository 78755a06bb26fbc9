"""Citizens' feedback on answers, stored locally with as little personal data as we can.

A record holds the day, the question, whether the bot refused, the language, the
verdict, an optional comment and the cited files: no IP, no user or session id, no
exact time. Question and comment are scrubbed before they are written (`scrub`):
e-mail addresses, phone numbers (Google's libphonenumber rules via `phonenumbers`),
IBANs, dates (a date of birth cannot be told apart from other dates), long digit runs
(account, case and ID numbers) and names after a cue ("Frau …", "ich heiße …",
"my name is …"). Names without such a cue cannot be found reliably and stay; the page
asks citizens not to write personal data. The file is readable by its owner only (0600)
and records older than the retention period are deleted on every write and read.
The admin area summarises the most frequent unhelpful or refused questions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings

MAX_COMMENT = 500
MAX_QUESTION = 500
DEFAULT_RETENTION_DAYS = 90
_LOCK = threading.Lock()

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# shape only, checksum not required: a mistyped IBAN is personal data as well
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}\b", re.I)
_MONTHS = (
    "Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|"
    "Dezember|January|February|March|May|June|July|October|December|"
    r"Jan|Feb|Mär|Mar|Apr|Jun|Jul|Aug|Sept?|Okt|Oct|Nov|Dez|Dec"
)
_DATE = re.compile(
    r"\b\d{1,2}\s?[./-]\s?\d{1,2}\s?[./-]\s?(?:\d{4}|\d{2})\b"  # 03.12.1985, 3/12/85
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b"  # 1985-12-03
    rf"|\b\d{{1,2}}\.?\s*(?:{_MONTHS})\.?\s*\d{{2,4}}\b"  # 3. Dezember 1985
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",  # December 3, 1985
    re.I,
)
_LONG_NUMBER = re.compile(r"\b\d(?:[ ./-]?\d){5,}\b")
_NAME_CUE = re.compile(
    r"\b(?:herrn?|frau|hr\.|fr\.|dr\.|mr\.?|mrs\.?|ms\.?|ich\s+hei(?:ß|ss)e|mein\s+name\s+ist"
    r"|my\s+name\s+is|i\s+am|i'm|ich\s+bin|name:|benim\s+ad[ıi]m|ad[ıi]m|меня\s+зовут"
    r"|мене\s+звати|اسمي|نام\s+من)\s+",
    re.I,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# "meine Frau Deutschkenntnisse …": Frau/Herr after an article or possessive is no title
_NOT_A_TITLE = re.compile(
    r"\b(?:d(?:er|ie|en|em)|eine[mnr]?|(?:mein|dein|sein|ihr|unser|euer|eur)e[mnrs]?)\s+$",
    re.I,
)


def _names_after_cues(text: str) -> str:
    """Up to three name-like words (capitalised, or in a script without case) after a cue."""
    out, pos = [], 0
    for cue in _NAME_CUE.finditer(text):
        if cue.start() < pos:
            continue
        if cue.group().lower().startswith(("frau", "herr")) and _NOT_A_TITLE.search(
            text[max(0, cue.start() - 12) : cue.start()]
        ):
            continue
        end, words = cue.end(), 0
        while words < 3:
            word = _WORD.match(text, end)
            if word is None or word.group()[0].islower():
                break
            words += 1
            end = word.end()
            spaces = re.match(r"[ \t]+", text[end:])
            if spaces and _WORD.match(text, end + spaces.end()):
                end += spaces.end()
        if words:
            name_end = end if not text[end - 1].isspace() else end - 1
            out.append(text[pos : cue.end()] + "[NAME]")
            pos = name_end
    out.append(text[pos:])
    return "".join(out)


def _phones(text: str) -> str:
    import phonenumbers

    found = list(phonenumbers.PhoneNumberMatcher(text, "DE"))
    for match in reversed(found):
        text = text[: match.start] + "[TELEFON]" + text[match.end :]
    return text


def feedback_path(settings: Settings) -> Path:
    """Where feedback records live (one place for the chat and the staff area)."""
    return settings.data_dir / "feedback.jsonl"


def scrub(text: str) -> str:
    """The text with personal data patterns replaced by placeholders like [E-MAIL]."""
    text = _EMAIL.sub("[E-MAIL]", text)
    text = _IBAN.sub("[IBAN]", text)
    text = _DATE.sub("[DATUM]", text)
    text = _phones(text)
    text = _LONG_NUMBER.sub("[NUMMER]", text)
    return _names_after_cues(text)


def _cutoff(retention_days: int, today: dt.date | None = None) -> str:
    return ((today or dt.date.today()) - dt.timedelta(days=retention_days)).isoformat()


def _open_private(path: Path, flags: int) -> int:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)  # also for a file written by an older version with 0644
    return fd


def _prune_locked(path: Path, retention_days: int, today: dt.date | None) -> list[dict[str, Any]]:
    """Rewrites the file without expired or unreadable records; returns the rest."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    cutoff = _cutoff(retention_days, today)
    kept: list[dict[str, Any]] = []
    for line in lines:
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict) and str(item.get("day", "")) >= cutoff:
            kept.append(item)
    if len(kept) != len(lines):
        _write_locked(path, kept)
    return kept


def _write_locked(path: Path, records: list[dict[str, Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = _open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    tmp.replace(path)


def read_feedback(
    path: Path, retention_days: int = DEFAULT_RETENTION_DAYS, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The records within the retention period (expired ones are deleted on the way)."""
    with _LOCK:
        return _prune_locked(path, retention_days, today)


def record_feedback(
    path: Path,
    question: str,
    refused: bool,
    language: str,
    helpful: bool,
    comment: str = "",
    sources: list[str] | None = None,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    record = {
        "day": (today or dt.date.today()).isoformat(),
        "question": scrub(" ".join(question.split())[:MAX_QUESTION]),
        "refused": bool(refused),
        "language": language[:5],
        "helpful": bool(helpful),
        "comment": scrub(" ".join((comment or "").split())[:MAX_COMMENT]),
        "sources": [s[:200] for s in (sources or [])][:5],
    }
    append_record(path, record, retention_days, today)
    return record


def append_record(
    path: Path, record: dict[str, Any], retention_days: int, today: dt.date | None = None
) -> None:
    """Append one record to a private JSONL file, pruning expired ones first when due."""
    with _LOCK:
        if _oldest_day(path) < _cutoff(retention_days, today):
            _prune_locked(path, retention_days, today)
        fd = _open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def rewrite_records(path: Path, keep: Callable[[dict[str, Any]], bool], retention_days: int) -> int:
    """Rewrite the file with only the records `keep` accepts; returns how many went."""
    with _LOCK:
        records = _prune_locked(path, retention_days, None)
        kept = [r for r in records if keep(r)]
        if len(kept) != len(records):
            _write_locked(path, kept)
        return len(records) - len(kept)


def _oldest_day(path: Path) -> str:
    """The day of the first record (records are appended in order), cheaply."""
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline()
    except FileNotFoundError:
        return "9999"
    try:
        return str(json.loads(first).get("day", ""))
    except (json.JSONDecodeError, AttributeError):
        return ""
