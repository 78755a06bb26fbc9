"""PDF text extraction in a child process with a time and memory limit.

pypdf has had advisories for infinite loops and memory blow-ups on crafted files, so a
PDF is never parsed in the indexing process itself: a forked child parses it under
RLIMIT_AS and is killed when it runs past the timeout (bot/ingest/sandbox.py).
"""

from __future__ import annotations

import io
import re
from typing import Any

from bot.ingest.documents import DocumentError, LoadedDocument, Section, title_from_name
from bot.ingest.sandbox import run_in_child


def _extract(data: bytes) -> dict[str, Any]:
    """Runs in the child: returns plain data (pages, title) or {'error': reason}."""
    import logging

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # reasons are reported, not logged
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return {"error": "PDF ist verschlüsselt (Passwort nötig)"}
            except Exception:
                return {"error": "PDF ist verschlüsselt (Passwort nötig)"}
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        title = meta.get("/Title") if meta else None
        return {"pages": pages, "title": str(title) if title else None}
    except FileNotDecryptedError:
        return {"error": "PDF ist verschlüsselt (Passwort nötig)"}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        return {"error": f"PDF ist beschädigt ({type(exc).__name__})"}
    except MemoryError:
        return {"error": "PDF braucht zu viel Speicher beim Lesen"}
    except Exception as exc:  # a parser bug on hostile input must not stop indexing
        return {"error": f"PDF kann nicht gelesen werden ({type(exc).__name__})"}


def extract_pdf_pages(data: bytes, timeout: float) -> dict[str, Any]:
    """Parse in a forked child; a hang or crash becomes an error reason, never a hang here."""
    result: dict[str, Any] = run_in_child(_extract, data, timeout=timeout, what="PDF")
    return result


def check_pdf(data: bytes) -> None:
    """The one header check, run at upload and before parsing: a PDF starts with %PDF."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise DocumentError("Datei ist kein PDF (Kopfzeile fehlt)")


def parse_pdf(data: bytes, source: str, timeout: float = 60.0) -> LoadedDocument:
    check_pdf(data)
    result = extract_pdf_pages(data, timeout)
    if "error" in result:
        raise DocumentError(result["error"])
    sections = []
    for number, text in enumerate(result["pages"], start=1):
        text = re.sub(r"[ \t]+", " ", text).strip()
        # PDF lines end where the layout wrapped them: join a line to the next one when the
        # sentence obviously goes on (no end punctuation, next line starts in lower case).
        text = re.sub(r"(?<![.:!?])\n(?=[a-zäöüß(„\"])", " ", text)
        if text:
            sections.append(Section(text, [], page=number))
    if not sections:
        raise DocumentError("PDF enthält keinen Text (gescannt? Bitte als Text-PDF speichern)")
    first_line = sections[0].text.split("\n", 1)[0].strip()
    title = result.get("title") or (first_line if 3 <= len(first_line) <= 100 else None)
    return LoadedDocument(source, (title or title_from_name(source)).strip(), sections, "")
