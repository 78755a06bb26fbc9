"""Large markup files are parsed in a child process with a time limit (bot/ingest/sandbox.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.ingest.documents import DocumentError, LoadedDocument
from bot.ingest.loaders import ISOLATE_BYTES, _isolated_when_large, load_document


def test_a_large_html_page_is_parsed_in_a_child_and_loads_as_in_process(tmp_path: Path) -> None:
    rows = "".join(f"<p>Absatz {i}: Die Beratung ist kostenlos.</p>" for i in range(40_000))
    page = f"<html lang='de'><head><title>Groß</title></head><body>{rows}</body></html>"
    path = tmp_path / "gross.html"
    path.write_text(page, encoding="utf-8")
    assert path.stat().st_size > ISOLATE_BYTES
    doc = load_document(path, tmp_path, 50 * 1024 * 1024, parse_timeout=120)
    assert doc.title == "Groß"
    assert "Absatz 39999: Die Beratung ist kostenlos." in doc.text


def test_a_hanging_parser_of_a_large_file_is_stopped() -> None:
    def hang(data: bytes, source: str) -> LoadedDocument:
        time.sleep(60)
        raise AssertionError("not reached")

    parse = _isolated_when_large(hang, "HTML")
    # the reason says the child ran past its time (and was killed), not that it finished
    with pytest.raises(DocumentError, match="dauerte länger als 1 s"):
        parse(b"x" * (ISOLATE_BYTES + 1), "seite.html", 1.0)


def test_a_parser_error_in_the_child_keeps_its_reason() -> None:
    def broken(data: bytes, source: str) -> LoadedDocument:
        raise DocumentError("Datei ist beschädigt")

    with pytest.raises(DocumentError, match="Datei ist beschädigt"):
        _isolated_when_large(broken, "DOCX")(b"x" * (ISOLATE_BYTES + 1), "a.docx", 5.0)
    # a small file is parsed here, and its error is the same
    with pytest.raises(DocumentError, match="Datei ist beschädigt"):
        _isolated_when_large(broken, "DOCX")(b"x", "a.docx", 5.0)
