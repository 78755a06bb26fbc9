"""Answer units: the pieces of a passage an answer is made of.

An answer quotes whole units, never fragments, so the segmentation decides whether an
answer can begin mid-sentence. Units are

- sentences of running text, split by `sentencex` (Wikimedia's rule-based segmenter,
  one maintained package for all our languages). Measured on German administrative
  text it keeps "bzw.", "z. B.", "u. a.", "max. 30", "Nr. 5", "§ 10 Abs. 1" and
  "Mo.–Fr." inside their sentence, where our former regex split after every one of
  them; pysbd split "max." and "Abs."; SoMaJo was as good but 100x slower and
  re-tokenises the text (0.05 vs 6 ms per paragraph);
- a whole list (lines starting with "-", "*", "•" or "1."), tied to the sentence that
  introduces it ("Sie brauchen folgende Unterlagen:"), so the list never loses items;
- a contact block: consecutive short lines with a phone number, e-mail, postcode,
  street or opening hours (and the name line above them) stay together;
- a table row (Markdown "| a | b |"), with the table's header row above it when there
  is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SEGMENTER_VERSION = 5
MAX_LIST_CHARS = 450  # a longer list is offered item by item

_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+\S")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# a price list or table of contents in flattened text: "Einbürgerung ........ 255,00 EUR"
_LEADER_ROW = re.compile(r"^\S.*?\S\s*(?:\.{4,}|…{2,}|·{3,}|_{4,})\s*\S")
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_PHONE = r"(?:\+?\d[\d /()-]{5,}\d)"
_MAIL = r"(?:[\w.+-]+@[\w-]+\.[\w.-]+)"
_ADDRESS = (
    r"(?:\b\d{5}\s+[A-ZÄÖÜ][\w-]+)"  # postcode and town
    r"|(?:\b\w*(?:straße|str\.|platz|weg|allee|gasse|ring)\s+\d+\w?\b)"  # street and number
)
_CONTACT = re.compile(
    r"(?:\b(?:tel|telefon|fon|fax|mobil|e-?mail|mail|sprechzeit\w*|öffnungszeit\w*)\b\.?\s*:?)"
    rf"|{_PHONE}|{_MAIL}|{_ADDRESS}"
    r"|(?:\b(?:mo|di|mi|do|fr|sa|montag|dienstag|mittwoch|donnerstag|freitag)\b\.?\s*[-–,:]"
    r".{0,30}\d{1,2}(?:[.:]\d{2})?\s*(?:uhr|-|–))",
    re.I,
)
# a phone number, not a date ("Stand: 02/2026" is one line of a contact block too)
_DIALLED = r"(?:tel|telefon|fon)\b\.?\s*:?\s*\+?\d|\+?\d{3,5}[ /-]?\d[\d /-]{3,}\d"
_REACH = tuple(re.compile(p, re.I) for p in (_DIALLED, _MAIL, _ADDRESS))
_CONTACT_LINE_MAX = 120
_NAME_LINE_MAX = 70
_LABEL_MAX = 60


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a passage."""

    text: str
    kind: str  # "sentence" | "list" | "item" | "contact" | "row"
    position: int  # order within the passage
    group: int = -1  # units with the same group >= 0 are quoted together (intro + list)


@lru_cache(maxsize=1)
def _segmenter() -> object:
    try:
        from sentencex import segment
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError("sentencex is missing: install the project (`make install`)") from exc
    return segment


def sentences(text: str, language: str = "de") -> list[str]:
    """Sentences of one paragraph (line breaks inside it are joined first)."""
    text = " ".join(text.split())
    if not text:
        return []
    segment = _segmenter()
    out: list[str] = []
    for sentence in (s.strip() for s in segment(language, text)):  # type: ignore[operator]
        if not sentence:
            continue
        # "**Lassen Sie ihn anerkennen!** Ob …" is cut after the "!": the closing "**"
        # belongs to the sentence before, not at the start of the next (a "**" with a word
        # right after it opens the next sentence's own bold: "…mehr. **Neu** hier.")
        for mark in ("**", "__"):
            cut_off = sentence.startswith(mark) and not sentence[len(mark) :][:1].strip()
            if out and cut_off and out[-1].count(mark) % 2:
                out[-1] += mark
                sentence = sentence[len(mark) :].lstrip()
        if sentence:
            out.append(sentence)
    return out


def tells_how_to_reach(text: str) -> bool:
    """A contact block that says how to reach someone: an address (where to go), or a
    phone number and an e-mail address; not a lone e-mail line, opening hours or a
    "Stand: 02/2026" line."""
    dialled, mail, address = (bool(pattern.search(text)) for pattern in _REACH)
    return address or (dialled and mail)


def is_contact_line(line: str) -> bool:
    """A short line with a phone number, e-mail, postcode, street or opening hours."""
    return len(line) <= _CONTACT_LINE_MAX and bool(_CONTACT.search(line))


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip())


def _continues_item(raw: str, line: str, marker_indent: int) -> bool:
    """A line of running text right after a list item that belongs to it: a wrapped item.
    Lower case ("…bei Ihrer\n vermittelten Stelle") or, for a German noun that starts the
    wrapped part, a hanging indent deeper than the item's marker (plain-text pages wrapped
    at a fixed width: "– Bürgergeld: Sie erhalten … bei Ihrer\n     Vermittlerin …")."""
    return line[:1].islower() or _indent(raw) > marker_indent


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Group lines into ("para" | "list" | "leaders" | "contact" | "table", lines)."""
    blocks: list[tuple[str, list[str]]] = []
    marker_indent = 0  # indentation of the last list item's marker
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            blocks.append(("gap", []))
            continue
        if _TABLE_ROW.match(line):
            kind = "table"
        elif _LEADER_ROW.match(line):
            kind = "leaders"
        elif _LIST_ITEM.match(line):
            kind = "list"
        elif is_contact_line(line):
            kind = "contact"
        else:
            kind = "para"
        last = blocks[-1] if blocks else None
        if (
            last
            and kind in ("para", "contact")
            and last[0] == "list"
            and _continues_item(raw, line, marker_indent)
        ):
            last[1][-1] += " " + line  # a wrapped list item (PDF or plain-text line breaks)
            continue
        if kind == "list":
            marker_indent = _indent(raw)
        if last and last[0] == kind and kind != "gap":
            last[1].append(line)
        elif (
            kind == "contact"
            and last
            and last[0] == "para"
            and len(last[1][-1]) <= _NAME_LINE_MAX
            and not last[1][-1].endswith((".", ":", "?", "!"))
        ):
            # "Kommunales Integrationszentrum" above "Kaiser-Wilhelm-Platz 1": one block
            name = last[1].pop()
            if not last[1]:
                blocks.pop()
            blocks.append(("contact", [name, line]))
        else:
            blocks.append((kind, [line]))
    return [b for b in blocks if b[0] != "gap"]


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines of running text joined into paragraphs. A short line without final
    punctuation ("Stand: 1. September 2026", a PDF heading) ends its paragraph; long
    lines are wrapped text (PDF) and are joined."""
    out: list[list[str]] = [[]]
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        out[-1].append(line)
        joined = " ".join(out[-1])
        continued = following[:1].islower() or joined.count("(") > joined.count(")")
        if (
            len(line) < _LABEL_MAX
            and not line.endswith((".", ",", ";", ":", "?", "!", "-"))
            and not continued  # "(… in Vollzeit" + "bzw. 10–12 Monate in Teilzeit)."
        ):
            out.append([])
    return [" ".join(p) for p in out if p]


def _completed(text: str) -> bool:
    """A sentence the following list completes: it ends with a comma or a lower-case word
    ("…, die"), not with a full stop, a heading's "?" or a one-word label."""
    if text.endswith(","):
        return True
    return len(text.split()) > 3 and text[-1:].isalpha() and text[-1:].islower()


def split_units(text: str, language: str = "de") -> list[Unit]:
    """The units of a passage, in order; see the module docstring."""
    units: list[Unit] = []
    groups = 0

    def add(body: str, kind: str, group: int = -1) -> None:
        units.append(Unit(body, kind, len(units), group))

    for kind, lines in _blocks(text):
        if kind == "para":
            for paragraph in _paragraphs(lines):
                for sentence in sentences(paragraph, language):
                    add(sentence, "sentence")
        elif kind == "contact":
            add("\n".join(lines), "contact")
        elif kind == "table":
            # a row under a header is quoted with it ("| Jahreseinkommen | 25 Std. |" above
            # "| bis 45.000 € | 72 € |"): a lone row of numbers answers nothing
            header = len(lines) > 2 and bool(_TABLE_RULE.match(lines[1]))
            rows = [line for line in lines if not _TABLE_RULE.match(line)]
            if header:
                add(rows[0], "row")
                for row in rows[1:]:
                    add(f"{rows[0]}\n{lines[1]}\n{row}", "row")
            else:
                for row in rows:
                    add(row, "row")
        else:  # a list, tied to the sentence that introduces it
            # "Sie brauchen folgende Unterlagen:" or a sentence a short list completes
            # ("Teilnehmen können Menschen, die" + "* arbeitsuchend sind, …")
            body = "\n".join(lines)
            previous = units[-1].text if units else ""
            ties = previous.endswith(":") or (len(body) <= MAX_LIST_CHARS and _completed(previous))
            # rows with dot leaders under their label ("Gebühren"): one price list
            ties = ties or (
                kind == "leaders"
                and 0 < len(previous) <= _LABEL_MAX
                and not previous.endswith((".", "!", "?"))
            )
            intro = units[-1] if units and ties else None
            group = groups
            groups += 1
            if intro is not None:
                units[-1] = Unit(intro.text, intro.kind, intro.position, group)
            # a price list's rows answer one by one ("und für Kinder?": the children's fee)
            if len(body) <= MAX_LIST_CHARS and kind != "leaders":
                add(body, "list", group)
            else:
                for line in lines:
                    add(line, "item", group)
    return units


def unit_context(metadata: dict[str, object]) -> str:
    """Title and section path a unit is embedded with (the same at index and query time)."""
    title = str(metadata.get("title", ""))
    section = str(metadata.get("section", ""))
    return f"{title} › {section}" if section else title
