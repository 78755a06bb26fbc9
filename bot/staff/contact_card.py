"""The contact card: how a citizen reaches a person (phone, e-mail, consultation hours, how to
book an appointment, which office is responsible for what).

Staff maintain it in ONE Markdown file in the corpus, `_kontaktkarte.md`: the leading "_"
keeps it out of the index (`iter_corpus_files` skips such names), so it never changes which
passages answer a question. Sections are found by their `## ` heading (German names below);
an empty or missing section is left out, so the card never shows a number nobody checked.
The page shows the card behind the "Mit einem Menschen sprechen" button and under every
refusal; labels follow the citizen's language, the staff's text stays German (isolated in
its own direction). The file is read again when it changes; without it a minimal card with
the centre's address is shown.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.i18n import CONTACT_ADDRESS, CONTACT_URL, ui_text
from bot.ingest.documents import DocumentError, split_front_matter
from bot.safe_html import DEFAULT_LINK_HOSTS, isolated, link, sanitize

log = logging.getLogger(__name__)

CARD_FILE = "_kontaktkarte.md"
MAX_CARD_BYTES = 64 * 1024

# heading in the file -> field of ContactCard
_SECTIONS = {
    "stelle": "office",
    "telefon": "phone",
    "e-mail": "email",
    "sprechzeiten": "hours",
    "termin vereinbaren": "appointment",
    "internet": "website",
    "wer ist wofür zuständig?": "responsibilities",
}
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class ContactCard:
    """What the file says; None (or empty) where staff wrote nothing."""

    office: list[str] = field(default_factory=list)  # name and address lines
    phone: str | None = None
    email: str | None = None
    hours: list[str] = field(default_factory=list)
    appointment: list[str] = field(default_factory=list)
    website: str | None = None
    responsibilities: list[tuple[str, str]] = field(default_factory=list)  # (office, what)
    updated: str | None = None

    def render_html(self, lang: str, link_hosts: Iterable[str] = DEFAULT_LINK_HOSTS) -> str:
        """The card as sanitised HTML; every text from the file is escaped."""
        parts = [f"<p><strong>{html.escape(ui_text('human_button', lang))}</strong></p>"]
        note = ui_text("card_german", lang)
        if note:
            parts.append(f"<p>{html.escape(note)}</p>")
        if self.office:
            parts.append(_lines(self.office))
        for key, value in (("card_phone", self.phone), ("card_email", self.email)):
            if value:
                parts.append(f"<p>{_label(key, lang)} {isolated(value)}</p>")
        for key, lines in (("card_hours", self.hours), ("card_appointment", self.appointment)):
            if lines:
                parts.append(f"<p>{_label(key, lang)}</p>{_lines(lines)}")
        if self.responsibilities:
            items = "".join(
                f'<li dir="auto"><strong>{html.escape(who)}</strong>: {html.escape(what)}</li>'
                for who, what in self.responsibilities
            )
            title = html.escape(ui_text("card_responsible", lang))
            parts.append(f'<p><strong>{title}</strong></p><ul dir="auto">{items}</ul>')
        if self.website:
            site = link(self.website, self.website, link_hosts)
            parts.append(f"<p>{_label('card_website', lang)} <bdi>{site}</bdi></p>")
        return sanitize("".join(parts), link_hosts)

    def render_text(self, lang: str) -> str:
        """The card as plain text (command line, copy)."""
        lines = [ui_text("human_button", lang)]
        if ui_text("card_german", lang):
            lines.append(ui_text("card_german", lang))
        lines += self.office
        if self.phone:
            lines.append(f"{ui_text('card_phone', lang)}: {self.phone}")
        if self.email:
            lines.append(f"{ui_text('card_email', lang)}: {self.email}")
        for key, block in (("card_hours", self.hours), ("card_appointment", self.appointment)):
            if block:
                lines += [f"{ui_text(key, lang)}:", *block]
        if self.responsibilities:
            lines.append(ui_text("card_responsible", lang))
            lines += [f"- {who}: {what}" for who, what in self.responsibilities]
        if self.website:
            lines.append(f"{ui_text('card_website', lang)}: {self.website}")
        return "\n".join(lines)


def _label(key: str, lang: str) -> str:
    return f"<strong>{html.escape(ui_text(key, lang))}:</strong>"


def _lines(lines: list[str]) -> str:
    return '<p dir="auto">' + "<br>".join(html.escape(line) for line in lines) + "</p>"


FALLBACK = ContactCard(
    office=["Kommunales Integrationszentrum Rhein-Sieg-Kreis", CONTACT_ADDRESS],
    website=CONTACT_URL,
)


def parse_card(text: str) -> ContactCard:
    """The card from the file's text; unknown sections are ignored (and logged)."""
    meta, body = split_front_matter(text)
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in _COMMENT.sub("", body).splitlines():
        line = raw.strip()
        if line.startswith("## "):
            heading = line[3:].strip().lower()
            current = _SECTIONS.get(heading)
            if current is None:
                log.warning("contact card: unknown section %r ignored", heading)
            continue
        if current and line and not line.startswith("#"):
            sections.setdefault(current, []).append(line)
    responsibilities = []
    for line in sections.get("responsibilities", []):
        who, _, what = line.lstrip("-•* ").partition(":")
        if who.strip() and what.strip():
            responsibilities.append((who.strip(), what.strip()))

    def one(name: str) -> str | None:
        return " ".join(sections.get(name, [])) or None

    updated = meta.get("updated")
    return ContactCard(
        office=sections.get("office", []),
        phone=one("phone"),
        email=one("email"),
        hours=sections.get("hours", []),
        appointment=sections.get("appointment", []),
        website=one("website"),
        responsibilities=responsibilities,
        updated=str(updated) if updated else None,
    )


_cache: dict[Path, tuple[float, int, ContactCard]] = {}


def load_card(corpus_dir: Path) -> ContactCard:
    """The card from `corpus_dir/_kontaktkarte.md`, read again when the file changes; the
    minimal fallback card when it is missing, too large or unreadable."""
    path = corpus_dir / CARD_FILE
    try:
        stat = path.stat()
        cached = _cache.get(path)
        if cached and cached[:2] == (stat.st_mtime, stat.st_size):
            return cached[2]
        if stat.st_size > MAX_CARD_BYTES:
            raise DocumentError("Kontaktkarte ist zu groß")
        card = parse_card(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return FALLBACK
    except (OSError, UnicodeDecodeError, DocumentError) as exc:
        log.warning("contact card %s not readable (%s): showing the address only", path, exc)
        return FALLBACK
    _cache[path] = (stat.st_mtime, stat.st_size, card)
    return card
