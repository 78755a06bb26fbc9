"""Language and translation as document metadata: loaders, chunks, manifest, staff list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index, current_generation, read_manifest
from bot.indexing.format import FileEntry, Manifest
from bot.ingest.chunking import chunk_document
from bot.ingest.documents import language_tag
from bot.ingest.loaders import load_document
from bot.staff.corpus_admin import list_documents

MB = 1024 * 1024
TRANSLATION = """---
title: Naturalisation
lang: en
translation_of: einbuergerung.md
updated: 2026-09-15
---
# Naturalisation

## Costs
The fee is 255 euros.
"""


def load(path: Path):
    return load_document(path, path.parent, 20 * MB, parse_timeout=20)


def test_markdown_front_matter_lang_and_translation_of_reach_the_chunks(corpus_dir: Path) -> None:
    path = corpus_dir / "einbuergerung-en.md"
    path.write_text(TRANSLATION, encoding="utf-8")
    doc = load(path)
    assert (doc.lang, doc.translation_of) == ("en", "einbuergerung.md")
    chunk = chunk_document(doc, 900, 100)[0]
    assert chunk.metadata["lang"] == "en"
    assert chunk.metadata["translation_of"] == "einbuergerung.md"
    assert chunk.metadata["part"] == 0


def test_document_without_lang_has_none_and_chunks_carry_no_key(corpus_dir: Path) -> None:
    path = corpus_dir / "kontakt.md"
    path.write_text("# Kontakt\n\nKreishaus Siegburg.\n", encoding="utf-8")
    doc = load(path)
    assert doc.lang is None and doc.translation_of is None
    assert "lang" not in chunk_document(doc, 900, 100)[0].metadata


def test_html_lang_attribute_and_translation_meta(corpus_dir: Path) -> None:
    path = corpus_dir / "faq-tr.html"
    path.write_text(
        '<!doctype html><html lang="tr"><head><title>SSS</title>'
        '<meta name="translation_of" content="haeufige-fragen.html"></head>'
        "<body><h2>Ücret</h2><p>Harç 255 Euro.</p></body></html>",
        encoding="utf-8",
    )
    doc = load(path)
    assert (doc.lang, doc.translation_of) == ("tr", "haeufige-fragen.html")


def test_docx_core_property_language(corpus_dir: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Elternarbeit", 1)
    document.add_paragraph("Информация для родителей.")
    document.core_properties.language = "ru-RU"
    path = corpus_dir / "eltern-ru.docx"
    document.save(str(path))
    assert load(path).lang == "ru-ru"


def test_odt_dc_language(corpus_dir: Path) -> None:
    from tests.unit.test_odt import make_odt

    path = corpus_dir / "kurse.odt"
    path.write_bytes(make_odt())
    assert load(path).lang == "de-de"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("de-x-ls", "de-x-ls"), ("AR", "ar"), ("de_DE", "de-de"), ("", None), ("<b>", None)],
)
def test_language_tag(value: str, expected: str | None) -> None:
    assert language_tag(value) == expected


def test_file_entry_round_trip_and_old_entries_read() -> None:
    entry = FileEntry("abc", "Naturalisation", lang="ar", translation_of="einbuergerung.md")
    data = entry.to_dict()
    assert data["lang"] == "ar" and data["translation_of"] == "einbuergerung.md"
    assert FileEntry.from_dict(json.loads(json.dumps(data))) == entry
    old = FileEntry("abc", "Kontakt").to_dict()
    assert "lang" not in old and "translation_of" not in old, "older manifests keep their bytes"
    assert FileEntry.from_dict(old).lang is None


def test_manifest_and_staff_list_show_language_and_original(
    settings: Settings, corpus_dir: Path
) -> None:
    (corpus_dir / "einbuergerung.md").write_text(
        "# Einbürgerung\n\n## Kosten\nDie Gebühr beträgt 255 Euro.\n", encoding="utf-8"
    )
    (corpus_dir / "translations" / "en").mkdir(parents=True)
    (corpus_dir / "translations" / "en" / "einbuergerung.md").write_text(
        TRANSLATION, encoding="utf-8"
    )
    build_index(settings, make_embedder("fake"))
    manifest = read_manifest(settings.index_dir, current_generation(settings.index_dir))
    entry = manifest.files["translations/en/einbuergerung.md"]
    assert (entry.lang, entry.translation_of) == ("en", "einbuergerung.md")
    assert manifest.files["einbuergerung.md"].lang is None
    again = Manifest.from_json(manifest.to_json())
    assert again.files["translations/en/einbuergerung.md"].lang == "en"
    rows = {r.name: r for r in list_documents(settings)}
    assert (rows["translations/en/einbuergerung.md"].lang, rows["einbuergerung.md"].lang) == (
        "en",
        "de",
    )
    assert rows["translations/en/einbuergerung.md"].translation_of == "einbuergerung.md"
