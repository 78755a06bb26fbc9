"""Answer cards in the staff area: list, read, check and save a card file.

A save never loses anything: the text is checked first (`parse_card`; a card with errors is
refused with every problem listed and the file stays as it was), the previous text is kept
as a numbered version in `_antwortkarten/.versionen/`, and the new text replaces the file
atomically. The assistant reads the folder again on its next question.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.answering.cards import (
    CARDS_DIR,
    MAX_CARD_BYTES,
    AnswerCard,
    CardError,
    cards_folder,
    parse_card,
    read_cards,
)
from bot.config import Settings
from bot.i18n import LANGUAGES, format_date

VERSIONS_DIR = ".versionen"
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,78}[a-z0-9]")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

TEMPLATE = """---
title: Die Frage als Überschrift
owner: Team oder Person, die die Antwort verantwortet
valid_until: {until}
updated: {today}
source: https://www.rhein-sieg-kreis.de/
---
<!--
"## Fragen": Fragen, die diese Karte beantwortet – eine pro Zeile, gern in mehreren Sprachen.
"## Nicht gemeint": ähnlich klingende Fragen, die diese Karte NICHT beantworten soll.
"## Antwort (de)" ist Pflicht; weitere Sprachen: {languages}.
Nach "valid_until" wird die Karte nicht mehr verwendet.
-->

## Fragen
- Erste Frage, die diese Karte beantwortet?
- Dieselbe Frage mit anderen Worten?

## Nicht gemeint
- Eine ähnliche Frage, die die Karte nicht beantworten soll?

## Antwort (de)
Die geprüfte Antwort.
"""


def card_template(today: dt.date | None = None) -> str:
    """The text of a new card: every field, a short help and a validity of six months."""
    today = today or dt.date.today()
    until = today + dt.timedelta(days=182)
    others = ", ".join(code for code in LANGUAGES if code != "de")
    return TEMPLATE.format(until=until.isoformat(), today=today.isoformat(), languages=others)


def card_file_name(name: str) -> str:
    """ "Asyl abgelehnt" or "asyl-abgelehnt.md" -> "asyl-abgelehnt.md"; anything that cannot
    become a plain name is refused (no folders, no dots in front)."""
    stem = (name or "").strip().lower().translate(_TRANSLIT).removesuffix(".md")
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    if not _NAME.fullmatch(stem):
        raise CardError(
            ["Bitte einen Dateinamen aus Buchstaben, Ziffern und Bindestrichen angeben."]
        )
    return f"{stem}.md"


def card_path(settings: Settings, name: str) -> Path:
    return cards_folder(settings.corpus_dir) / card_file_name(name)


@dataclass(frozen=True)
class CardRow:
    """One line of the staff table."""

    name: str
    title: str
    owner: str
    valid_until: str
    languages: str
    status: str

    def cells(self) -> list[str]:
        return [self.name, self.title, self.owner, self.valid_until, self.languages, self.status]


def card_rows(settings: Settings, today: dt.date | None = None) -> list[CardRow]:
    rows = []
    for item in read_cards(settings.corpus_dir, settings.link_hosts):
        card = item.card
        if card is None:
            rows.append(CardRow(item.name, "", "", "", "", item.status(today)))
            continue
        rows.append(
            CardRow(
                item.name,
                card.title,
                card.owner,
                format_date(card.valid_until.isoformat(), "de"),
                ", ".join(card.answers),
                item.status(today),
            )
        )
    return rows


def read_card_text(settings: Settings, name: str) -> str:
    path = card_path(settings, name)
    if not path.is_file():
        raise CardError([f"Die Karte „{path.name}“ gibt es nicht."])
    return path.read_text(encoding="utf-8")


def versions(settings: Settings, name: str) -> list[Path]:
    """Earlier versions of a card, oldest first."""
    folder = cards_folder(settings.corpus_dir) / VERSIONS_DIR
    stem = card_file_name(name).removesuffix(".md")
    return sorted(folder.glob(f"{stem}.v*.md"), key=lambda p: _version_number(p, stem))


def _version_number(path: Path, stem: str) -> int:
    number = path.name.removeprefix(f"{stem}.v").removesuffix(".md")
    return int(number) if number.isdigit() else 0


@dataclass(frozen=True)
class SavedCard:
    name: str
    version: int  # 1 for a new card
    card: AnswerCard


def save_card(settings: Settings, name: str, text: str) -> SavedCard:
    """Check, keep the previous version, then replace the card; CardError on any problem."""
    path = card_path(settings, name)
    text = (text or "").replace("\r\n", "\n")
    if len(text.encode("utf-8")) > MAX_CARD_BYTES:
        raise CardError([f"Die Karte ist zu lang (höchstens {MAX_CARD_BYTES // 1024} KB)."])
    card = parse_card(text, path.name, settings.link_hosts)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    earlier = versions(settings, path.name)
    version = len(earlier) + 1
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if old == text:
            return SavedCard(path.name, version, card)
        keep = folder / VERSIONS_DIR
        keep.mkdir(exist_ok=True)
        stem = path.name.removesuffix(".md")
        last = max((_version_number(p, stem) for p in earlier), default=0)
        (keep / f"{stem}.v{last + 1}.md").write_text(old, encoding="utf-8")
        version = last + 2
    tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return SavedCard(path.name, version, card)


def card_location(name: str) -> str:
    """Where a card lives in the corpus, as staff and the audit log name it."""
    return f"{CARDS_DIR}/{name}"
