"""What a loaded corpus file is, and the parsers for text, Markdown, HTML and DOCX.

Which parser reads which suffix is decided in one place, `bot.ingest.loaders`. Every parser
returns a `LoadedDocument`: a title, dates/URL from front matter or
document properties, and a list of sections that remember their heading path
(and page, for PDFs) so answers can cite "Einbürgerung › Kosten, S. 2".
Anything wrong with a file raises `DocumentError` with a short German reason
that admins see in the index report; the caller skips that file and goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# DOCX and ODT files are zips; refuse archives that would inflate past this (zip bombs).
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200


class DocumentError(Exception):
    """A file cannot be indexed; str(exc) is the reason shown to admins."""


@dataclass
class Section:
    text: str
    headings: list[str] = field(default_factory=list)
    page: int | None = None


@dataclass
class LoadedDocument:
    source: str  # path relative to the corpus, with forward slashes
    title: str
    sections: list[Section]
    sha256: str
    updated: str | None = None
    valid_until: str | None = None
    url: str | None = None
    # BCP 47 tag of the text ("de", "ar", "de-x-ls" for Leichte Sprache); None: German, the
    # corpus language. `translation_of` names the original's file ("einbuergerung.md").
    lang: str | None = None
    translation_of: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)


class SectionBuilder:
    """Collects text under the current heading path. The first level-1 heading is the
    document's title, not a section; deeper headings form paths like ["Kosten"]."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str]] = []
        self.lines: list[str] = []
        self.title: str | None = None

    def heading(self, level: int, text: str) -> None:
        self.flush()
        if level == 1 and self.title is None:
            self.title = text
            return
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))

    def add(self, line: str) -> None:
        self.lines.append(line)

    def flush(self) -> None:
        chunk = "\n".join(self.lines).strip()
        if chunk:
            self.sections.append(Section(chunk, [h for _, h in self.stack]))
        self.lines.clear()

    def done(self) -> list[Section]:
        self.flush()
        return self.sections


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iter_corpus_files(corpus_dir: Path) -> list[Path]:
    """All candidate files below the corpus, sorted; hidden files and folders are ignored."""
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.is_file():
            files.append(path)
    return files


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januar", "jänner"),
            ("februar",),
            ("märz", "maerz"),
            ("april",),
            ("mai",),
            ("juni",),
            ("juli",),
            ("august",),
            ("september",),
            ("oktober",),
            ("november",),
            ("dezember",),
        ],
        start=1,
    )
    for name in names
}
_STAND = re.compile(
    r"\bStand\s*:?\s*(?:"
    r"(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
    r"|(?:(?P<day>\d{1,2})\.\s*)?(?P<month>[A-Za-zÄÖÜäöü]+)\s+(?P<year>\d{4})"
    r")",
)


def stand_date(text: str) -> str | None:
    """The date of a "Stand: 1. September 2026" / "Stand: 01.09.2026" line as ISO text
    ("2026-09" for a month alone); None when there is no such line or it is no date."""
    for match in _STAND.finditer(text):
        if match["iso"]:
            year, month, day = (int(part) for part in match["iso"].split("-"))
        elif match["d"]:
            day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
        else:
            month = _MONTHS.get(match["month"].lower(), 0)
            if not month:
                continue
            year = int(match["year"])
            if not match["day"]:
                return f"{year:04d}-{month:02d}"
            day = int(match["day"])
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


# --- text encodings ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 and Latin-1/CP1252; refuse binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data[:4096]:
        text = _decode_utf16_without_bom(data)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = (
                data.decode("cp1252", errors="strict")
                if _is_cp1252(data)
                else data.decode("latin-1")
            )
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > 0.01:
        raise DocumentError("Datei ist keine Textdatei (Binärdaten)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _decode_utf16_without_bom(data: bytes) -> str:
    head = data[:4096]
    even_zeros = head[0::2].count(0)
    odd_zeros = head[1::2].count(0)
    half = len(head) / 2
    if odd_zeros > 0.3 * half and even_zeros < 0.05 * half:
        return data.decode("utf-16-le", errors="replace")
    if even_zeros > 0.3 * half and odd_zeros < 0.05 * half:
        return data.decode("utf-16-be", errors="replace")
    raise DocumentError("Datei ist keine Textdatei (Binärdaten)")


# --- front matter and metadata ----------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (YAML front matter, rest); broken YAML is reported, not ignored."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # e.g. "updated: 2026-18-01"
        raise DocumentError(
            f"Front Matter ist kein gültiges YAML: {exc.__class__.__name__}"
        ) from exc
    if not isinstance(meta, dict):
        raise DocumentError("Front Matter muss aus Schlüssel: Wert-Paaren bestehen")
    return meta, text[match.end() :]


def _date_str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return text or None


def _meta_fields(meta: dict[str, Any]) -> dict[str, str | None]:
    url = meta.get("url") or meta.get("source_url")
    return {
        "updated": _date_str(meta.get("updated") or meta.get("stand") or meta.get("date")),
        "valid_until": _date_str(meta.get("valid_until")),
        "url": str(url).strip() if url else None,
        "lang": language_tag(meta.get("lang") or meta.get("language")),
        "translation_of": original_name(meta.get("translation_of")),
    }


# a BCP 47 tag as documents write it: "de", "en-GB", "de-x-ls" (private use: Leichte Sprache)
_LANG_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


def language_tag(value: Any) -> str | None:
    """A document's language as a lower-case BCP 47 tag ("de_DE" -> "de-de"); None for no
    or an unusable value (the document then counts as German, the corpus language)."""
    if value is None:
        return None
    text = str(value).strip().replace("_", "-").lower()
    return text if _LANG_TAG.fullmatch(text) else None


def original_name(value: Any) -> str | None:
    """`translation_of`: the original's file name or corpus path, with forward slashes."""
    if value is None:
        return None
    text = str(value).strip().replace("\\", "/").strip("/")
    return text[:300] or None


def resolve_original(name: str, translation: str, sources: Iterable[str]) -> str | None:
    """The corpus file a translation's `translation_of` names: the same corpus path, or
    the one file of that name (in any folder); None when there is none or several, and
    never the translation itself."""
    candidates = [s for s in sources if s != translation]
    if name in candidates:
        return name
    wanted = name.rsplit("/", 1)[-1]
    named = [s for s in candidates if s.rsplit("/", 1)[-1] == wanted]
    return named[0] if len(named) == 1 else None


def is_outdated(translation_updated: str | None, original_updated: str | None) -> bool:
    """A translation dated before its original's last change may be outdated. ISO dates
    compare as text; a month alone ("2026-09") only when the other is a month too or
    another month."""
    if not translation_updated or not original_updated:
        return False
    size = min(len(translation_updated), len(original_updated))
    return translation_updated[:size] < original_updated[:size]


def title_from_name(source: str) -> str:
    stem = Path(source).stem.replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:] if stem else source


# --- Markdown and plain text ------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _parse_markdown(text: str, source: str) -> LoadedDocument:
    meta, body = split_front_matter(text)
    body = _HTML_COMMENT.sub("", body)  # comments are invisible to readers, so not content
    builder = SectionBuilder()
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            builder.heading(len(match.group(1)), _strip_inline_md(match.group(2)))
        elif in_fence or not _link_row(line):
            builder.add(line)
    sections = builder.done()
    title = str(meta.get("title") or builder.title or title_from_name(source)).strip()
    return LoadedDocument(source, title, sections, "", **_meta_fields(meta))


_MD_LINK = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)")
_LINK_SEPARATORS = re.compile(r"[\s·|•,/–-]*")


def _link_row(line: str) -> bool:
    """A line of two or more Markdown links and nothing but separators: a menu or a
    footer of a page converted to Markdown ("[Impressum](/impressum) · [Datenschutz](…)"),
    as the HTML loader drops them. A single link is content (a form to download)."""
    links = _MD_LINK.findall(line)
    return len(links) >= 2 and bool(_LINK_SEPARATORS.fullmatch(_MD_LINK.sub("", line)))


def _strip_inline_md(text: str) -> str:
    return re.sub(r"[*_`]+", "", text).strip()


_TEXT_HEADING_MAX = 80
_NUMBERED = re.compile(r"\d{1,2}\.\s+\w")


def _text_heading(paragraph: str) -> bool:
    """A paragraph of plain text that is a heading: one short line between blank lines,
    without a sentence's or a label's ending ("4. Sprachmittlung beim Arzt", "Welche Kurse
    gibt es?"), and not a contact line ("Tel. 02241 …") or a "Stand: …" label."""
    from bot.ingest.units import is_contact_line

    line = paragraph.strip()
    return (
        "\n" not in line
        and 2 < len(line) <= _TEXT_HEADING_MAX
        and not line.endswith((".", ",", ";", ":", "-", "–"))
        and (": " not in line or bool(_NUMBERED.match(line)))  # "2. Asylsuchende: …"
        and not any(mark in line for mark in ("|", " > ", "›", "»"))  # menus, breadcrumbs
        and not is_contact_line(line)
        and any(c.isalpha() for c in line)
    )


def _parse_text(text: str, source: str) -> LoadedDocument:
    """Plain text (often a web page flattened to text): the first line is the title when
    it is short; short lines between blank lines are section headings, so answers and
    chunks follow the page's sections."""
    meta, body = split_front_matter(text)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    title = meta.get("title")
    first = paragraphs[0].split("\n", 1)[0].strip() if paragraphs else ""
    if not title and first and len(first) <= 100 and not first.endswith("."):
        title = first
    builder = SectionBuilder()
    for number, paragraph in enumerate(paragraphs):
        if number and number < len(paragraphs) - 1 and _text_heading(paragraph):
            builder.heading(2, " ".join(paragraph.split()))
            continue
        builder.add(paragraph + "\n")
    return LoadedDocument(
        source,
        str(title or title_from_name(source)),
        builder.done(),
        "",
        **_meta_fields(meta),
    )


def parse_markdown(data: bytes, source: str) -> LoadedDocument:
    return _parse_markdown(decode_text(data), source)


def parse_text(data: bytes, source: str) -> LoadedDocument:
    return _parse_text(decode_text(data), source)


def parse_html(data: bytes, source: str) -> LoadedDocument:
    return _parse_html(decode_text(data), source)


def check_text(data: bytes) -> None:
    """Upload pre-check of text formats: the bytes must decode to text."""
    decode_text(data)


# --- HTML -------------------------------------------------------------------------------------

_BLOCKS = ["p", "li", "dd", "dt", "pre", "blockquote", "figcaption", "address"]
_LINE_BREAK = "\ue000"  # a private-use character stands for <br> until the text is split
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])", re.I
)


# What a saved web page carries besides its content: menus, breadcrumbs, skip links,
# cookie and consent banners, search boxes, share and print buttons. Landmarks that may
# hold content (a site header or footer with the office's address, an aside with a
# contact box) are dropped only when they are mostly link text.
# (A <form> stays: some CMS wrap the whole page in one.)
_FURNITURE_TAGS = ["nav"]
_FURNITURE_ROLES = {"navigation", "search", "menubar", "menu", "toolbar"}
# a whole class or id token: "social-services" or "cookie-free-info" is content
_FURNITURE_NAMES = re.compile(
    r"(?:cookie|consent|gdpr|breadcrumb|skip)[-_]?(?:s|banner|bar|hint|notice|layer|"
    r"overlay|modal|box|links?|to-content|nav)?|share|sharing|social-?(?:share|media|links)|"
    r"pagination|sitemap|print(?:-?links?)?|(?:page-?)?tools|tool-?bar",
    re.I,
)
_LANDMARKS = ["header", "footer", "aside"]
_LANDMARK_ROLES = {"banner", "contentinfo", "complementary"}
LINK_DENSITY = 0.5  # share of a landmark's text inside links above which it is a menu
SHORT_MENU = 60  # a paragraph or item this short and all links is a menu, not content


def _letters(text: str) -> int:
    return sum(c.isalnum() for c in text)


def _gone(tag: Any) -> bool:
    """Whether `tag` was decomposed. Not `tag.decomposed`: on a live tag bs4 looks the
    attribute up as a child tag named "_decomposed", a search of the whole subtree, which
    made the checks over all tags quadratic in the nesting depth."""
    return bool(vars(tag).get("_decomposed"))


def _inside(root: Any, names: Collection[str]) -> set[int]:
    """The ids of the elements below `root` that have an ancestor named in `names`, in one
    walk (document order: a parent before its children). `find_parent` per element walked
    every ancestor: 5 000 nested <div>s took 100 s."""
    inside: set[int] = set()
    for tag in root.find_all(True):
        parent = tag.parent
        if parent is not None and (id(parent) in inside or parent.name in names):
            inside.add(id(tag))
    return inside


def _link_density(tag: Any) -> float:
    """Share of the text (letters and digits: separators like "·" or "|" do not count)
    inside links to other pages (a phone or mail link is content)."""
    text = _letters(tag.get_text(" ", strip=True))
    links = sum(
        _letters(a.get_text(" ", strip=True))
        for a in tag.find_all("a")
        if not str(a.get("href") or "").lower().startswith(("mailto:", "tel:"))
    )
    return links / text if text else 1.0


def _is_short(tag: Any) -> bool:
    """Whether the text of `tag` is shorter than `SHORT_MENU`, reading no more of it than
    that (and a bounded number of elements): nested paragraphs or items, each read whole,
    were quadratic (4 000 unclosed <p> in <div>s: 19 s)."""
    from bs4.element import NavigableString

    size = 0
    for count, node in enumerate(tag.descendants):
        if isinstance(node, NavigableString):
            size += len(node.strip()) + 1
        if size > SHORT_MENU or count > 4 * SHORT_MENU:
            return False
    return len(tag.get_text(" ", strip=True)) < SHORT_MENU


def _drop_page_furniture(soup: Any) -> None:
    """Remove what every page of a site repeats and no citizen asks about.

    Why: crawled pages of one site share their menu, breadcrumb and footer links; kept as
    text, each page gets a chunk that mentions every topic of the site, which ranks for
    every question and quotes "Startseite > Service > ..." as an answer. Structure only
    (landmark elements, ARIA roles, class names, link density), so no wording is guessed.
    """
    furniture = list(soup.find_all(_FURNITURE_TAGS))
    furniture += soup.find_all(attrs={"role": lambda r: str(r).lower() in _FURNITURE_ROLES})
    for tag in soup.find_all(True):
        names = [str(tag.get("id") or ""), *[str(c) for c in tag.get("class") or []]]
        if tag.name not in {"body", "main"} and any(_FURNITURE_NAMES.fullmatch(n) for n in names):
            furniture.append(tag)
    for tag in furniture:
        if not _gone(tag):
            tag.decompose()
    # page actions ("Seite drucken" as a javascript: link or a button) are never content
    for tag in soup.find_all(["a", "button"]):
        href = str(tag.get("href") or "").strip().lower()
        if not _gone(tag) and (
            tag.name == "button" or href.startswith("javascript:") or tag.has_attr("onclick")
        ):
            tag.decompose()
    # a short paragraph or item that is nothing but links to other pages is a menu
    # ("Auf die Merkliste", "Leichte Sprache · Gebärdensprache")
    for tag in soup.find_all(["p", "li"]):
        if (
            not _gone(tag)
            and _is_short(tag)
            and tag.find("a") is not None
            and _link_density(tag) >= 0.99
        ):
            tag.decompose()
    landmarks = list(soup.find_all(_LANDMARKS))
    landmarks += soup.find_all(attrs={"role": lambda r: str(r).lower() in _LANDMARK_ROLES})
    in_article = _inside(soup, {"article", "main"})
    for tag in landmarks:
        if _gone(tag) or id(tag) in in_article:
            continue  # an article's own header or footer belongs to it
        if _link_density(tag) > LINK_DENSITY:
            tag.decompose()


_SPACE_BEFORE_MARK = re.compile(r"\s+(?=[.,;:!?)](?:\s|$))")


def _spaced(text: str) -> str:
    """Whitespace collapsed, and none before a punctuation mark: the " " that joins the
    strings of inline elements ("<a>Rhein-Sieg</a>." -> "Rhein-Sieg ." before)."""
    return _SPACE_BEFORE_MARK.sub("", " ".join(text.split()))


_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
# elements that start a block of their own; any other element is inline text
_BLOCK_LEVEL = [
    *_HEADINGS,
    *_BLOCKS,
    "article", "aside", "body", "caption", "details", "dialog", "div", "dl", "fieldset",
    "figure", "footer", "form", "header", "hr", "main", "nav", "ol", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
]  # fmt: skip

# blocks whose text is read whole, and lists and tables whose own loose text is no content
_NO_LOOSE_TEXT = {
    *_BLOCKS, *_HEADINGS, "caption", "dl", "hr", "ol", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
}  # fmt: skip


def _wrap_loose_text(soup: Any, root: Any) -> None:
    """Text standing directly in a block that is not a paragraph (a <div> or <section>
    without <p>, a <details> answer and its <summary>, an address in the <footer>, text
    beside a <p> inside a <span>) becomes a <p>, so it is read like any paragraph instead
    of being lost."""
    from bs4.element import NavigableString

    enclosed = _inside(root, {*_BLOCKS, *_HEADINGS, "table", "dl"})
    holds_block: set[int] = set()  # elements with a block-level element inside
    for block in root.find_all(_BLOCK_LEVEL):
        parent = block.parent
        while parent is not None and id(parent) not in holds_block:
            holds_block.add(id(parent))
            parent = parent.parent
    containers = [root] + [
        tag
        for tag in root.find_all(True)
        if id(tag) not in enclosed
        and tag.name not in _NO_LOOSE_TEXT
        and (tag.name in _BLOCK_LEVEL or id(tag) in holds_block)
    ]
    for container in containers:
        runs: list[list[Any]] = [[]]
        for child in list(container.children):
            inline = isinstance(child, NavigableString) or (
                child.name not in _BLOCK_LEVEL and id(child) not in holds_block
            )
            if inline:
                runs[-1].append(child)
            elif runs[-1]:
                runs.append([])
        for run in runs:
            text = "".join(str(c) if isinstance(c, NavigableString) else c.get_text() for c in run)
            if not text.strip():
                continue
            paragraph = soup.new_tag("p")
            run[0].insert_before(paragraph)
            for child in run:
                paragraph.append(child.extract())


def _definitions(dl: Any) -> list[str]:
    """A definition list as "term: description" lines ("Telefon: 02241 13-0"), so a
    contact box stays one block instead of lone terms and numbers."""
    lines: list[str] = []
    term = ""
    for child in dl.find_all(["dt", "dd"]):
        if child.find_parent("dl") is not dl:
            continue
        text = _cell(child)
        if child.name == "dt":
            term = text.rstrip(":")
        elif text:
            lines.append(f"{term}: {text}" if term else text)
    return lines


def _text(tag: Any) -> str:
    """`tag.get_text(" ")` with `_LINE_BREAK` for each <br>. Why not replace the <br>s in
    the tree: bs4 finds an element among its parent's children by a scan, so replacing
    6 000 <br> in one paragraph took 7 s, 100 000 about half an hour (now 12 s)."""
    from bs4.element import CData, NavigableString

    parts = []
    for node in tag.descendants:
        if type(node) in (NavigableString, CData):
            parts.append(str(node).replace(_LINE_BREAK, " "))  # (not a break in the source)
        elif node.name == "br":
            parts.append(_LINE_BREAK)
    return " ".join(parts)


def _cell(tag: Any) -> str:
    text = _text(tag).replace(_LINE_BREAK, " ")
    return re.sub(r"\s+", " ", text).strip().replace("|", "/")


def _html_table(table: Any) -> list[str]:
    """A table as Markdown rows (caption first, a rule under a header row of <th>), so
    the answer can quote one row with its header instead of lone cells ("72 €")."""
    lines = []
    caption = table.find("caption")
    if caption is not None and _cell(caption):
        lines.append(_cell(caption))
    own = [
        (number, cells)
        for number, row in enumerate(table.find_all("tr"))
        if row.find_parent("table") is table  # not a nested table's row
        for cells in [row.find_all(["th", "td"], recursive=False)]
        if cells
    ]
    width = max((len(cells) for _, cells in own), default=0)
    # spans add at most as many cells as the table has: rowspan="9999" on every row of a
    # large table must not make its text grow with the square of the rows
    spare = sum(len(cells) for _, cells in own)
    rows = []
    header = False
    below: dict[int, tuple[str, int]] = {}  # column -> (text, rows left) of a rowspan
    for number, cells in own:
        if number == 0:
            header = all(c.name == "th" for c in cells) and len(cells) > 1
        texts: list[str] = []
        for cell in cells:
            _span_down(below, texts)
            text = _cell(cell)
            across = min(_span(cell, "colspan"), max(width - len(texts), 1), spare + 1)
            down = min(_span(cell, "rowspan"), spare + 1)
            spare -= across - 1 + down - 1
            for column in range(len(texts), len(texts) + across):
                if down > 1:
                    below[column] = (text if column == len(texts) else "", down - 1)
            texts += [text] + [""] * (across - 1)
        _span_down(below, texts)
        rows.append(texts)
    return lines + table_lines(rows, header)


def _span(cell: Any, name: str) -> int:
    try:
        return max(1, int(str(cell.get(name) or 1).strip()))
    except ValueError:
        return 1


def _span_down(below: dict[int, tuple[str, int]], texts: list[str]) -> None:
    """Put the cells spanning down from rows above into `texts` at the next columns: a
    row under a rowspan keeps its cells under their headers ("Deutsch A1 | Mi")."""
    while len(texts) in below:
        text, left = below.pop(len(texts))
        if left > 1:
            below[len(texts)] = (text, left - 1)
        texts.append(text)


def table_lines(rows: list[list[str]], header: bool) -> list[str]:
    """Markdown table rows; `header`: the first row names the columns (a rule follows)."""
    lines = ["| " + " | ".join(cells) + " |" for cells in rows if any(cells)]
    if header and len(lines) > 1:
        lines.insert(1, "|" + "---|" * len(rows[0]))
    return lines


def _parse_html(text: str, source: str) -> LoadedDocument:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(text, "html.parser")
    metas = {
        str(m.get("name", "")).lower(): None if content is None else str(content)
        for m in soup.find_all("meta")
        if m.get("name")
        for content in [m.get("content")]
    }
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    html_tag = soup.find("html")
    page_lang = html_tag.get("lang") if html_tag is not None else None
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(["script", "style", "noscript", "template", "head", "iframe", "svg"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if _gone(tag):
            continue
        style = str(tag.get("style") or "")
        if tag.has_attr("hidden") or _HIDDEN_STYLE.search(style):
            tag.decompose()

    _drop_page_furniture(soup)

    root = soup.body or soup
    _wrap_loose_text(soup, root)
    builder = SectionBuilder()
    wanted = ["h1", "h2", "h3", "h4", "h5", "h6", "table", "dl", *_BLOCKS]
    enclosed = _inside(root, {*_BLOCKS, "table", "dl"})
    for tag in root.find_all(wanted):
        if id(tag) in enclosed:
            continue  # text is taken with the enclosing block, table or list
        if tag.name in ("table", "dl"):
            for line in _html_table(tag) if tag.name == "table" else _definitions(tag):
                builder.add(line)
            builder.add("")
            continue
        # a <br> is a line of its own (an address: name, street, phone, e-mail)
        # (the source's own line breaks are only spacing)
        lines = [_spaced(line) for line in _text(tag).split(_LINE_BREAK)]
        lines = [line for line in lines if line]
        if not lines:
            continue
        content = " ".join(lines)
        if tag.name[0] == "h" and tag.name[1:].isdigit():
            builder.heading(int(tag.name[1]), content)
        elif tag.name == "li":
            builder.add(f"- {content}")
        else:
            builder.add("\n".join(lines) + "\n")
    sections = builder.done()
    meta = {
        "updated": metas.get("updated") or metas.get("date"),
        "valid_until": metas.get("valid_until"),
        "url": metas.get("url"),
        "lang": page_lang or metas.get("language"),
        "translation_of": metas.get("translation_of"),
    }
    title = (metas.get("title") or page_title or builder.title or title_from_name(source)).strip()
    return LoadedDocument(source, title, sections, "", **_meta_fields(meta))


# --- DOCX -------------------------------------------------------------------------------------


def check_zip_bomb(data: bytes, kind: str = "DOCX") -> list[str]:
    """Refuse archives that inflate far beyond their size before any XML is parsed; returns
    the member names. `kind` names the file type in the reason ("DOCX", "ODT")."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise DocumentError(f"{kind}-Datei ist beschädigt (kein gültiges ZIP-Archiv)") from exc
    total = sum(info.file_size for info in members)
    if total > ZIP_MAX_UNCOMPRESSED or total > ZIP_MAX_RATIO * max(len(data), 1) + 10_000_000:
        raise DocumentError(f"{kind}-Datei entpackt sich verdächtig groß (mögliche ZIP-Bombe)")
    return [info.filename for info in members]


def parse_docx(data: bytes, source: str) -> LoadedDocument:
    import io

    check_zip_bomb(data, "DOCX")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken files
        raise DocumentError(f"DOCX-Datei kann nicht gelesen werden ({type(exc).__name__})") from exc

    builder = SectionBuilder()
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [
                [
                    " ".join(_visible_paragraph_text(p) for p in c.paragraphs).replace("|", "/")
                    for c in row.cells
                ]
                for row in block.rows
            ]
            # Word does not say which row is a header: rows on their own
            for line in table_lines(rows, header=False):
                builder.add(line)
            builder.add("")
            continue
        assert isinstance(block, Paragraph)
        content = _visible_paragraph_text(block)
        if not content:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        level = _docx_heading_level(style)
        if level is not None:
            builder.heading(level, content)
        elif "list" in style.lower() or "liste" in style.lower():
            builder.add(f"- {content}")
        else:
            builder.add(content + "\n")
    sections = builder.done()
    props = document.core_properties
    title = (props.title or builder.title or title_from_name(source)).strip()
    updated = props.modified.date().isoformat() if props.modified else None
    return LoadedDocument(
        source, title, sections, "", updated=updated, lang=language_tag(props.language)
    )


def _docx_heading_level(style: str) -> int | None:
    lowered = style.lower()
    if lowered in {"title", "titel"}:
        return 1
    match = re.match(r"(heading|überschrift)\s*(\d)", lowered)
    return int(match.group(2)) if match else None


def _visible_paragraph_text(paragraph: Any) -> str:
    """Text a reader can see: hidden (vanish) runs and white-on-white runs are left out."""
    parts = []
    for run in paragraph.runs:
        font = run.font
        if font.hidden:
            continue
        color = font.color.rgb if font.color is not None and font.color.type is not None else None
        if color is not None and str(color).upper() in {"FFFFFF", "FEFEFE"}:
            continue
        if font.size is not None and font.size.pt < 2:
            continue
        parts.append(run.text)
    return re.sub(r"\s+", " ", "".join(parts)).strip()
