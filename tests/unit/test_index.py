"""Indexing with a fake embedder and a real (embedded) Chroma: incremental, atomic, safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.corpus_admin import list_documents
from bot.embeddings import make_embedder
from bot.index import (
    IndexBusy,
    IndexIncompatible,
    IndexMissing,
    build_index,
    build_lock,
    current_generation,
    load_index,
)


def write(corpus: Path, name: str, text: str) -> Path:
    path = corpus / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(corpus_dir: Path) -> Path:
    write(corpus_dir, "kurs.md", "# Integrationskurs\n\n## Dauer\nDer Kurs hat 600 Stunden.\n")
    write(corpus_dir, "einbuergerung.md", "# Einbürgerung\n\n## Kosten\nDie Gebühr: 255 Euro.\n")
    write(corpus_dir, "sub/kontakt.txt", "Kontakt\n\nKreishaus Siegburg.")
    return corpus_dir


def test_build_then_noop_then_update_and_delete(settings: Settings, corpus: Path) -> None:
    embedder = make_embedder("fake")
    first = build_index(settings, embedder)
    assert (first.documents, first.added, first.updated, first.removed) == (3, 3, 0, 0)
    gen = current_generation(settings.index_dir)

    second = build_index(settings, embedder)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert current_generation(settings.index_dir) == gen, "a no-op run writes nothing"

    write(corpus, "kurs.md", "# Integrationskurs\n\n## Dauer\nDer Kurs hat 700 Stunden.\n")
    (corpus / "einbuergerung.md").unlink()
    calls_before = embedder.calls
    third = build_index(settings, embedder)
    assert (third.added, third.updated, third.removed) == (0, 1, 1)
    # one chunk and its one answer unit: only the changed file is embedded again
    assert embedder.calls - calls_before == 2, "only the changed file is embedded again"

    index = load_index(settings, embedder)
    units = index.units.get(include=["documents", "metadatas"])
    assert set(units["documents"]) >= {"Der Kurs hat 700 Stunden."}
    assert {m["chunk"] for m in units["metadatas"]} == set(index.ids), "units follow chunks"

    index = load_index(settings, embedder)
    sources = {m["source"] for m in index.metadatas}
    assert sources == {"kurs.md", "sub/kontakt.txt"}
    assert not any("255 Euro" in t for t in index.texts), "deleted file leaves no chunks"
    assert any("700 Stunden" in t for t in index.texts)
    assert index.collection.count() == len(index.ids) == third.chunks


def test_files_read_by_an_older_loader_are_read_again(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loader that now extracts more (e.g. the date of a "Stand:" line) must reach files
    that did not change; a version bump makes the next run re-read them once."""
    embedder = make_embedder("fake")
    write(corpus, "merkblatt.txt", "Merkblatt\n\nStand: 15.03.2026\n\nText.")
    build_index(settings, embedder)
    monkeypatch.setattr("bot.index.LOADER_VERSION", 99)
    statuses = {row.name: row.status for row in list_documents(settings)}
    assert set(statuses.values()) == {"geändert – Index aktualisieren"}, "staff see it too"
    again = build_index(settings, embedder)
    assert (again.added, again.updated, again.removed) == (0, 4, 0)
    assert build_index(settings, embedder).updated == 0, "then unchanged files stay put"
    index = load_index(settings, embedder)
    dates = {m["source"]: m.get("updated") for m in index.metadatas}
    assert dates["merkblatt.txt"] == "2026-03-15"


def test_bad_files_are_skipped_and_others_indexed(settings: Settings, corpus: Path) -> None:
    (corpus / "leer.md").write_bytes(b"")
    (corpus / "kaputt.pdf").write_bytes(b"%PDF-1.7 garbage")
    (corpus / "bild.txt").write_bytes(bytes(range(256)) * 10)
    (corpus / "daten.xlsx").write_bytes(b"PK\x03\x04")
    (corpus / ".versteckt.md").write_text("intern", encoding="utf-8")
    report = build_index(settings, make_embedder("fake"))
    assert report.documents == 3
    skipped = {s["source"]: s["error"] for s in report.skipped}
    assert set(skipped) == {"leer.md", "kaputt.pdf", "bild.txt", "daten.xlsx"}
    assert all(skipped.values())


def test_broken_new_version_keeps_the_old_one(settings: Settings, corpus: Path) -> None:
    embedder = make_embedder("fake")
    build_index(settings, embedder)
    (corpus / "kurs.md").write_bytes(b"\x00\x01\x02\x03" * 500)
    report = build_index(settings, embedder)
    assert [s["source"] for s in report.skipped] == ["kurs.md"]
    assert report.removed == 0
    assert any("600 Stunden" in t for t in load_index(settings, embedder).texts)


def test_other_model_is_refused(settings: Settings, corpus: Path) -> None:
    build_index(settings, make_embedder("fake"))
    other = make_embedder("fake-other")
    with pytest.raises(IndexIncompatible, match="--rebuild"):
        load_index(settings, other)
    with pytest.raises(IndexIncompatible):
        build_index(settings, other)
    rebuilt = build_index(settings, other, rebuild=True)
    assert rebuilt.documents == 3
    assert load_index(settings, other).manifest["embedding"]["model"] == "fake-other"


def test_missing_index(settings: Settings) -> None:
    with pytest.raises(IndexMissing, match="python -m bot index"):
        load_index(settings, make_embedder("fake"))


def test_crash_mid_rebuild_leaves_old_index_serving(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = make_embedder("fake")
    build_index(settings, embedder)
    gen = current_generation(settings.index_dir)

    def explode(texts: list[str]) -> list[list[float]]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(embedder, "embed_documents", explode)
    with pytest.raises(OSError):
        build_index(settings, embedder, rebuild=True)
    assert current_generation(settings.index_dir) == gen
    assert [p.name for p in settings.index_dir.glob("g-*")] == [gen]
    assert len(load_index(settings, embedder).ids) == 3


def test_second_build_is_refused_while_one_runs(settings: Settings, corpus: Path) -> None:
    with build_lock(settings.index_dir), pytest.raises(IndexBusy, match="läuft bereits"):
        build_index(settings, make_embedder("fake"))


def test_cli_json_contract(
    settings: Settings,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_EMBEDDING_MODEL", "fake")
    (corpus / "leer.md").write_bytes(b"")
    args = ["index", "--corpus", str(corpus), "--index", str(settings.index_dir), "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"documents", "chunks", "added", "updated", "removed", "skipped", "seconds"}
    assert out["documents"] == 3 and out["added"] == 3
    assert out["skipped"] == [{"source": "leer.md", "error": "Datei ist leer"}]
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["added"], again["updated"], again["removed"]) == (0, 0, 0)


def test_cli_rejects_unknown_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_EMBEDING_MODEL", "typo")
    assert main(["index", "--json"]) == 2


def test_invalid_front_matter_date_is_a_skip_not_a_crash(settings: Settings, corpus: Path) -> None:
    write(corpus, "kaputt.md", "---\ntitle: X\nupdated: 2026-18-01\n---\n# X\n\nText.\n")
    report = build_index(settings, make_embedder("fake"))
    assert report.documents == 3
    assert [s["source"] for s in report.skipped] == ["kaputt.md"]
    assert "YAML" in report.skipped[0]["error"]


def test_unexpected_loader_error_skips_only_that_file(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.index

    real = bot.index.load_document

    def flaky(path, *args, **kwargs):
        if path.name == "kurs.md":
            raise RecursionError("parser bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(bot.index, "load_document", flaky)
    report = build_index(settings, make_embedder("fake"))
    assert report.documents == 2
    assert report.skipped == [
        {"source": "kurs.md", "error": "Unerwarteter Fehler beim Lesen (RecursionError)"}
    ]
