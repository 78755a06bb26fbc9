"""PDFs: pages, encryption, corruption; parsed in a child process with limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ingest.documents import DocumentError
from bot.ingest.loaders import load_document
from bot.ingest.pdf import extract_pdf_pages


def make_pdf(path: Path, pages: list[str], password: str | None = None) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.set_title("Merkblatt Aufenthalt")
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.output(str(path))


def load(path: Path):
    return load_document(path, path.parent, 20 * 1024 * 1024, parse_timeout=20)


def test_pdf_pages_and_title(corpus_dir: Path) -> None:
    path = corpus_dir / "merkblatt.pdf"
    make_pdf(path, ["Aufenthaltstitel rechtzeitig verlaengern.", "Seite zwei: Unterlagen."])
    doc = load(path)
    assert doc.title == "Merkblatt Aufenthalt"
    assert [s.page for s in doc.sections] == [1, 2]
    assert "Unterlagen" in doc.sections[1].text
    assert doc.updated is None, "no date anywhere: none is invented"


def test_pdf_date_comes_from_its_stand_line(corpus_dir: Path) -> None:
    path = corpus_dir / "merkblatt.pdf"
    make_pdf(path, ["Merkblatt\nStand: 1. September 2026\nAufenthaltstitel verlaengern."])
    assert load(path).updated == "2026-09-01"


def test_encrypted_pdf_is_skipped_with_reason(corpus_dir: Path) -> None:
    path = corpus_dir / "geheim.pdf"
    make_pdf(path, ["Vertraulich"], password="secret")
    with pytest.raises(DocumentError, match="verschlüsselt"):
        load(path)


def test_truncated_pdf_is_skipped(corpus_dir: Path) -> None:
    good = corpus_dir / "gut.pdf"
    make_pdf(good, ["Text"])
    broken = corpus_dir / "kaputt.pdf"
    broken.write_bytes(good.read_bytes()[:200])
    with pytest.raises(DocumentError):
        load(broken)


def test_not_a_pdf(corpus_dir: Path) -> None:
    (corpus_dir / "falsch.pdf").write_text("Hallo", encoding="utf-8")
    with pytest.raises(DocumentError, match="kein PDF"):
        load(corpus_dir / "falsch.pdf")


def test_hanging_parser_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import bot.ingest.pdf

    monkeypatch.setattr(bot.ingest.pdf, "_extract", lambda data: time.sleep(60))
    started = time.perf_counter()
    result = extract_pdf_pages(b"%PDF-1.4", timeout=1.0)
    assert "abgebrochen" in result["error"]
    assert time.perf_counter() - started < 10
