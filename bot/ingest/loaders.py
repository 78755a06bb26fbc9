"""The one table of file types the bot reads: suffixes, upload pre-check, parser, label.

Indexing (`load_document`), the staff area's upload checks (`bot.staff.corpus_admin`) and the
upload field's label all read `LOADERS`, so a new file type is added here and nowhere
else: an entry names its suffixes, the check of the raw bytes that an upload must pass
(header, zip contents, zip-bomb limits, text that decodes), the parser, and the German
label staff see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.ingest import odt
from bot.ingest.documents import (
    DocumentError,
    LoadedDocument,
    check_text,
    check_zip_bomb,
    file_sha256,
    parse_docx,
    parse_html,
    parse_markdown,
    parse_text,
    stand_date,
)
from bot.ingest.pdf import check_pdf, parse_pdf
from bot.ingest.sandbox import run_in_child

# Raise when the loaders extract different text or metadata from the same file, so the
# next `bot index` re-reads unchanged files instead of keeping what the old loader made.
LOADER_VERSION = 11  # 3: language, translation_of and section number in chunk metadata;
# 4: tables of HTML, DOCX and ODT as Markdown rows (HTML: one cell a line before);
# 5: an HTML <br> is a line break (addresses stay contact blocks); 6: HTML page actions
# and short link-only lines dropped, no space before a punctuation mark; 7: plain text
# has a title line and section headings; 8: HTML text outside <p> and definition lists;
# 9: HTML loose text in any block (<details>, <summary>, <footer>, <fieldset>, ...);
# 10: HTML table cells with rowspan repeated below, colspan padded (columns stay in place);
# 11: Markdown lines of two or more links only (menus, footers) dropped

Parser = Callable[[bytes, str, float], LoadedDocument]  # (data, source, timeout)


@dataclass(frozen=True)
class Loader:
    """One file type. `check` raises DocumentError (German reason) for bytes that are not
    what the suffix says; `parse(data, source, timeout)` returns the loaded document."""

    suffixes: tuple[str, ...]
    label: str  # German, shown to staff
    check: Callable[[bytes], object]
    parse: Parser
    front_matter: bool = False  # may start with YAML front matter (title shown before indexing)


def _check_docx(data: bytes) -> None:
    check_zip_bomb(data, "DOCX")


def _untimed(parse: Callable[[bytes, str], LoadedDocument]) -> Parser:
    """A parser that runs in this process and needs no timeout (plain text and Markdown:
    line by line, linear in the size)."""

    def run(data: bytes, source: str, timeout: float) -> LoadedDocument:
        return parse(data, source)

    return run


ISOLATE_BYTES = 1024 * 1024  # a markup file this large is parsed in a child process


def _isolated_when_large(parse: Callable[[bytes, str], LoadedDocument], what: str) -> Parser:
    """A markup parser (HTML, DOCX, ODT) that runs in a forked child with the timeout and a
    memory limit when the file is large: a 20 MB HTML page took about 100 s here, and a
    crafted one could take longer. Small files stay in this process (a fork per page
    would cost more than the parse)."""

    def run(data: bytes, source: str, timeout: float) -> LoadedDocument:
        if len(data) <= ISOLATE_BYTES:
            return parse(data, source)
        result = run_in_child(parse, data, source, timeout=timeout, what=what)
        if isinstance(result, dict):
            raise DocumentError(result["error"])
        doc: LoadedDocument = result
        return doc

    return run


LOADERS: tuple[Loader, ...] = (
    Loader((".md", ".markdown"), "Markdown", check_text, _untimed(parse_markdown), True),
    Loader((".txt",), "Text", check_text, _untimed(parse_text), True),
    Loader((".pdf",), "PDF", check_pdf, parse_pdf),
    Loader((".docx",), "Word (DOCX)", _check_docx, _isolated_when_large(parse_docx, "DOCX")),
    Loader(
        (".odt",),
        "OpenDocument-Text (ODT)",
        odt.check_odt,
        _isolated_when_large(odt.parse_odt, "ODT"),
    ),
    Loader(
        (".html", ".htm"), "Webseite (HTML)", check_text, _isolated_when_large(parse_html, "HTML")
    ),
)
BY_SUFFIX: dict[str, Loader] = {suffix: entry for entry in LOADERS for suffix in entry.suffixes}
SUPPORTED_SUFFIXES = frozenset(BY_SUFFIX)


def loader_for(name: str | Path) -> Loader | None:
    """The loader for a file name by its suffix (any case), or None when the type is not read."""
    return BY_SUFFIX.get(Path(name).suffix.lower())


def upload_hint() -> str:
    """The first suffix of every type, for the upload field: ".md .txt .pdf ..."."""
    return " ".join(entry.suffixes[0] for entry in LOADERS)


def allowed_types() -> str:
    """Every accepted suffix, for the refusal of another type."""
    return ", ".join(sorted(SUPPORTED_SUFFIXES))


def load_document(
    path: Path, corpus_dir: Path, max_bytes: int, parse_timeout: float = 60.0
) -> LoadedDocument:
    """Read and parse one file; raise DocumentError with a reason when it cannot be used."""
    loader = loader_for(path)
    if loader is None:
        suffix = path.suffix.lower()
        raise DocumentError(f"Dateityp {suffix or '(ohne Endung)'} wird nicht unterstützt")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError("Datei ist leer")
    if size > max_bytes:
        raise DocumentError(
            f"Datei ist zu groß ({size / 1048576:.2f} MB, erlaubt sind {max_bytes / 1048576:g} MB)"
        )
    data = path.read_bytes()
    source = path.relative_to(corpus_dir).as_posix()
    doc = loader.parse(data, source, parse_timeout)
    doc.sections = [s for s in doc.sections if s.text.strip()]
    if not doc.sections:
        raise DocumentError("Datei enthält keinen lesbaren Text")
    if not doc.updated:  # PDFs and plain files state their date in the text, if at all
        doc.updated = stand_date(doc.text[:2000])
    if not doc.lang:  # a crawled page often declares no language: read it off the text
        doc.lang = undeclared_language(doc.text)
    doc.sha256 = file_sha256(data)
    return doc


def undeclared_language(text: str) -> str | None:
    """The language of a document that does not declare one, when it is clearly not German
    (None: German, the corpus language, as before). Why: an English page without a language
    tag was ranked as German, so the correction for questions in other languages (they sit
    closer to any English text than to German) missed it."""
    from bot.i18n import detect_language

    sample = " ".join(text.split()[:300])
    language = detect_language(sample)
    return None if language == "de" else language
