"""PDF text extraction in a child process with a time and memory limit.

pypdf has had advisories for infinite loops and memory blow-ups on crafted files, so a
PDF is never parsed in the indexing process itself: a forked child parses it under
RLIMIT_AS and is killed when it runs past the timeout.
"""

from __future__ import annotations

import io
import multiprocessing as mp
import re
from typing import Any

from bot.ingest.documents import DocumentError, LoadedDocument, Section, title_from_name

PDF_MEMORY_HEADROOM = 1536 * 1024 * 1024  # address space the child may add to what it inherits


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


def _child(data: bytes, conn: Any) -> None:
    try:
        import resource

        # A forked child inherits the parent's address space (models, libraries), so the
        # limit is what it already has plus a fixed headroom for parsing.
        with open("/proc/self/statm") as statm:
            inherited = int(statm.read().split()[0]) * resource.getpagesize()
        limit = inherited + PDF_MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no limit on platforms without RLIMIT_AS or /proc
    try:
        conn.send(_extract(data))
    except MemoryError:
        conn.send({"error": "PDF braucht zu viel Speicher beim Lesen"})
    finally:
        conn.close()


def extract_pdf_pages(data: bytes, timeout: float) -> dict[str, Any]:
    """Parse in a forked child; a hang or crash becomes an error reason, never a hang here."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(data, child), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(timeout):
            try:
                result: dict[str, Any] = parent.recv()
                return result
            except EOFError:
                return {"error": "PDF-Leser ist abgestürzt"}
        return {"error": f"PDF-Verarbeitung dauerte länger als {timeout:.0f} s (abgebrochen)"}
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()


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
