"""OpenDocument text (.odt), the format many German public offices write with LibreOffice.

An .odt is a zip: `content.xml` holds the text, `meta.xml` title and dates, `styles.xml`
the named styles. The same guards as for DOCX apply before any XML is parsed (the zip-bomb
limits of `check_zip_bomb`), and the XML is read with `defusedxml`, which refuses DTDs and
entity declarations, so a billion-laughs file cannot expand in memory. Text a reader cannot
see (hidden text, display:none, white or tiny characters, comments) is left out, as in DOCX.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from xml.etree.ElementTree import Element

from bot.ingest.documents import (
    DocumentError,
    LoadedDocument,
    SectionBuilder,
    check_zip_bomb,
    language_tag,
    table_lines,
    title_from_name,
)

MIMETYPE = "application/vnd.oasis.opendocument.text"
_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


# elements whose text a reader does not see in the body
_SKIP = {
    _q(n)
    for n in (
        "text:hidden-text",
        "text:hidden-paragraph",
        "text:note",
        "office:annotation",
        "office:annotation-end",
        "text:tracked-changes",
        "text:sequence-decls",
        "text:variable-decls",
        "text:user-field-decls",
        "office:forms",
    )
}


def check_odt(data: bytes) -> None:
    """Upload pre-check: a zip within the zip-bomb limits holding an ODT's content.xml."""
    members = check_zip_bomb(data, "ODT")
    if "content.xml" not in members:
        raise DocumentError("ODT-Datei ist beschädigt (content.xml fehlt)")
    if "mimetype" in members:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                kind = archive.read("mimetype")[:200].decode("ascii", errors="replace").strip()
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise DocumentError(f"ODT-Datei ist beschädigt ({type(exc).__name__})") from exc
        if kind != MIMETYPE:
            raise DocumentError("Datei ist kein OpenDocument-Text (falscher Inhaltstyp)")


def _xml(archive: zipfile.ZipFile, name: str) -> Element | None:
    """Parse one member without DTDs or entities; None when the member is missing."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        raw = archive.read(name)
    except KeyError:
        return None
    try:
        root: Element | None = fromstring(raw, forbid_dtd=True)
        return root
    except DefusedXmlException as exc:
        raise DocumentError("ODT-Datei enthält unzulässige XML-Deklarationen") from exc
    except ParseError as exc:
        raise DocumentError(f"ODT-Datei ist beschädigt ({name} nicht lesbar)") from exc


def parse_odt(data: bytes, source: str) -> LoadedDocument:
    check_odt(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = _xml(archive, "content.xml")
            styles = _xml(archive, "styles.xml")
            meta = _xml(archive, "meta.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise DocumentError(f"ODT-Datei ist beschädigt ({type(exc).__name__})") from exc
    if content is None:
        raise DocumentError("ODT-Datei ist beschädigt (content.xml fehlt)")
    body = content.find("office:body/office:text", _NS)
    if body is None:
        raise DocumentError("Datei ist kein OpenDocument-Text (kein Textteil)")
    reader = _Reader(_styles(content, styles))
    try:
        reader.blocks(body)
    except RecursionError as exc:  # thousands of nested sections or spans: no real document
        raise DocumentError("ODT-Datei ist zu tief verschachtelt") from exc
    sections = reader.builder.done()
    title, updated, lang = _metadata(meta)
    title = (title or reader.builder.title or title_from_name(source)).strip()
    return LoadedDocument(source, title, sections, "", updated=updated, lang=language_tag(lang))


def _metadata(meta: Element | None) -> tuple[str | None, str | None, str | None]:
    """meta.xml's title, last-modified date and language (the DOCX loader reads the same)."""
    if meta is None:
        return None, None, None
    title = meta.findtext("office:meta/dc:title", default="", namespaces=_NS).strip()
    date = meta.findtext("office:meta/dc:date", default="", namespaces=_NS).strip()
    lang = meta.findtext("office:meta/dc:language", default="", namespaces=_NS).strip()
    match = re.match(r"\d{4}-\d{2}-\d{2}", date)
    return title or None, match.group(0) if match else None, lang or None


class _Style:
    def __init__(self, parent: str | None, hidden: bool, title: bool) -> None:
        self.parent, self.hidden, self.title = parent, hidden, title


def _styles(*roots: Element | None) -> dict[str, _Style]:
    """Named and automatic styles: which hide their text and which make a title paragraph."""
    found: dict[str, _Style] = {}
    for root in roots:
        if root is None:
            continue
        for node in root.iter(_q("style:style")):
            name = node.get(_q("style:name"))
            if not name:
                continue
            props = node.find("style:text-properties", _NS)
            hidden = False
            if props is not None:
                color = (props.get(_q("fo:color")) or "").lower()
                size = props.get(_q("fo:font-size")) or ""
                small = re.fullmatch(r"([\d.]+)pt", size)
                hidden = (
                    props.get(_q("text:display")) == "none"
                    or color in {"#ffffff", "#fefefe"}
                    or (small is not None and float(small.group(1)) < 2)
                )
            display = node.get(_q("style:display-name")) or name
            title = display.lower() in {"title", "titel"}
            found[name] = _Style(node.get(_q("style:parent-style-name")), hidden, title)
    return found


class _Reader:
    """Walks office:text and feeds the section builder: text:h are headings (their
    outline level is the depth), lists become "- " lines, table rows Markdown "| a | b |"."""

    def __init__(self, styles: dict[str, _Style]) -> None:
        self.styles = styles
        self.builder = SectionBuilder()

    def _style(self, node: Element, attribute: str = "text:style-name") -> tuple[bool, bool]:
        """(hidden, title) of a node's style, following parent styles (at most 10 deep)."""
        name = node.get(_q(attribute))
        hidden = title = False
        for _ in range(10):
            style = self.styles.get(name or "")
            if style is None:
                break
            hidden, title = hidden or style.hidden, title or style.title
            name = style.parent
        return hidden, title

    def blocks(self, parent: Element) -> None:
        for node in parent:
            tag = node.tag
            if tag in _SKIP or tag == _q("text:table-of-content"):
                continue
            if tag == _q("text:h"):
                if not self._style(node)[0]:
                    content = self.inline(node)
                    level = node.get(_q("text:outline-level")) or "1"
                    if content:
                        self.builder.heading(int(level) if level.isdigit() else 1, content)
            elif tag == _q("text:p"):
                hidden, title = self._style(node)
                content = "" if hidden else self.inline(node)
                if content and title:
                    self.builder.heading(1, content)
                elif content:
                    self.builder.add(content + "\n")
            elif tag == _q("text:list"):
                self.items(node)
            elif tag == _q("table:table"):
                self.table(node)
            else:  # sections, frames and other containers hold blocks too
                self.blocks(node)

    def items(self, listing: Element) -> None:
        for item in listing:
            for node in item:
                if node.tag == _q("text:list"):
                    self.items(node)
                elif node.tag in (_q("text:p"), _q("text:h")) and not self._style(node)[0]:
                    content = self.inline(node)
                    if content:
                        self.builder.add(f"- {content}")

    def table(self, table: Element) -> None:
        """Markdown rows, the header rows' first row as the header (see `table_lines`)."""
        rows = []
        for row in table.iter(_q("table:table-row")):
            cells = []
            for cell in row:
                parts = [self.inline(p) for p in cell.iter(_q("text:p"))]
                cells.append(" ".join(p for p in parts if p).replace("|", "/"))
            rows.append(cells)
        header = table.find(_q("table:table-header-rows")) is not None
        for line in table_lines(rows, header):
            self.builder.add(line)
        self.builder.add("")

    def inline(self, node: Element) -> str:
        return re.sub(r"\s+", " ", "".join(self._text(node))).strip()

    def _text(self, node: Element) -> list[str]:
        parts = [node.text or ""]
        for child in node:
            tag = child.tag
            if tag == _q("text:s"):
                count = child.get(_q("text:c")) or "1"
                parts.append(" " * min(int(count) if count.isdigit() else 1, 100))
            elif tag in (_q("text:tab"), _q("text:line-break")):
                parts.append(" ")
            elif tag not in _SKIP and not self._style(child)[0]:
                parts.extend(self._text(child))
            parts.append(child.tail or "")
        return parts
