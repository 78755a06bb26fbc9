"""Indexing with a fake embedder and a real (embedded) Chroma: incremental, atomic, safe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import (
    IndexBusy,
    IndexIncompatible,
    IndexMissing,
    IndexWriteFailed,
    build_index,
    build_lock,
    current_generation,
    load_index,
    read_manifest,
)
from bot.staff.corpus_admin import list_documents
from tests.conftest import FakeEmbeddings

ROOT = Path(__file__).resolve().parents[2]


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
    assert index.units is not None
    units = list(index.units.records())
    assert {u.text for u in units} >= {"Der Kurs hat 700 Stunden."}
    assert {u.metadata["chunk"] for u in units} == set(index.ids), "units follow chunks"

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
    monkeypatch.setattr("bot.indexing.build.LOADER_VERSION", 99)
    statuses = {row.name: row.status for row in list_documents(settings)}
    assert set(statuses.values()) == {"geändert – Index aktualisieren"}, "staff see it too"
    again = build_index(settings, embedder)
    assert (again.added, again.updated, again.removed) == (0, 4, 0)
    assert build_index(settings, embedder).updated == 0, "then unchanged files stay put"
    index = load_index(settings, embedder)
    dates = {m["source"]: m.get("updated") for m in index.metadatas}
    assert dates["merkblatt.txt"] == "2026-03-15"


def test_units_cut_by_an_older_segmenter_are_cut_again(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new segmenter must reach unchanged files: copying their units into the next
    generation would label units of the old cut with the new version."""
    embedder = make_embedder("fake")
    build_index(settings, embedder)
    monkeypatch.setattr("bot.indexing.build.SEGMENTER_VERSION", 99)
    again = build_index(settings, embedder)
    assert (again.added, again.updated, again.removed) == (0, 3, 0)
    manifest = read_manifest(settings.index_dir, current_generation(settings.index_dir))
    assert manifest.units is not None and manifest.units.segmenter == 99
    assert build_index(settings, embedder).updated == 0, "then unchanged files stay put"


def test_serving_units_of_an_older_segmenter_tells_the_admin(
    settings: Settings,
    corpus: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After an upgrade the old index still serves (units are cut when needed), but more
    slowly: the log says so and names the command that fixes it."""
    import logging

    embedder = make_embedder("fake")
    build_index(settings, embedder)
    monkeypatch.setattr("bot.indexing.build.SEGMENTER_VERSION", 99)
    with caplog.at_level(logging.WARNING, logger="bot.indexing.build"):
        loaded = load_index(settings, embedder)
    assert loaded.units is None
    assert "older segmenter" in caplog.text and "python -m bot index" in caplog.text


def test_an_index_of_older_loaders_or_segmenter_is_brought_up_to_date_at_start(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade the server updates such an index in the background while the old
    one answers; the next question switches to the new generation."""
    from bot.answering.assistant import Assistant
    from bot.indexing.build import outdated_reason
    from bot.web.server import update_outdated_index

    def served_reason() -> str | None:
        generation = current_generation(settings.index_dir)
        assert generation is not None
        return outdated_reason(read_manifest(settings.index_dir, generation))

    embedder = make_embedder("fake")
    first = build_index(settings, embedder).generation
    assistant = Assistant.from_settings(settings)
    assert served_reason() is None
    assert update_outdated_index(settings, assistant) is None, "a current index is left alone"

    monkeypatch.setattr("bot.indexing.build.SEGMENTER_VERSION", 99)
    assert "segmenter" in (served_reason() or "")
    thread = update_outdated_index(settings, assistant)
    assert thread is not None
    thread.join(60)
    assert current_generation(settings.index_dir) != first
    assert served_reason() is None
    assistant.reload_if_changed(wait=True)
    assert "600 Stunden" in assistant.ask("Wie lange dauert der Kurs?").text

    monkeypatch.setattr("bot.indexing.build.LOADER_VERSION", 999)
    assert "loader" in (served_reason() or "")


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
    assert load_index(settings, other).manifest.embedding.model == "fake-other"


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
    with pytest.raises(IndexWriteFailed, match="kein Speicherplatz") as failed:
        build_index(settings, embedder, rebuild=True)
    assert failed.value.disk_full
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
    import bot.indexing.build

    real = bot.indexing.build.load_document

    def flaky(path, *args, **kwargs):
        if path.name == "kurs.md":
            raise RecursionError("parser bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(bot.indexing.build, "load_document", flaky)
    report = build_index(settings, make_embedder("fake"))
    assert report.documents == 2
    assert report.skipped == [
        {"source": "kurs.md", "error": "Unerwarteter Fehler beim Lesen (RecursionError)"}
    ]


# --- unfinished generations, a broken CURRENT, a full disk -------------------------------------


def generations(settings: Settings) -> set[str]:
    return {p.name for p in settings.index_dir.glob("g-*")}


def leave_half_built_generation(
    settings: Settings, embedder: FakeEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> str:
    """What a SIGKILL mid-embedding leaves: a generation with Chroma files but no manifest."""
    import bot.indexing.build

    before = generations(settings)

    def killed(texts: list[str]) -> list[list[float]]:
        raise KeyboardInterrupt  # stands in for the kill; no cleanup may run after it

    with monkeypatch.context() as patch:
        patch.setattr(bot.indexing.build, "_discard_generation", lambda *a: None)
        patch.setattr(embedder, "embed_documents", killed)
        with pytest.raises(KeyboardInterrupt):
            build_index(settings, embedder, rebuild=True)
    (half,) = generations(settings) - before
    assert (settings.index_dir / half / "chroma").is_dir()
    assert not (settings.index_dir / half / "manifest.json").exists()
    return half


def test_unfinished_generation_is_removed_by_the_next_run(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = make_embedder("fake")
    gen = build_index(settings, embedder).generation
    leave_half_built_generation(settings, embedder, monkeypatch)
    again = build_index(settings, embedder)  # nothing changed: a no-op run cleans up too
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert generations(settings) == {gen}
    assert current_generation(settings.index_dir) == gen


def test_generation_of_a_build_still_running_is_not_removed(
    settings: Settings, corpus: Path
) -> None:
    embedder = make_embedder("fake")
    gen = build_index(settings, embedder).generation
    running = settings.index_dir / "g-20991231T235959-abcdef"
    (running / "chroma").mkdir(parents=True)
    with build_lock(settings.index_dir):  # the other process's build holds the lock
        with pytest.raises(IndexBusy):
            build_index(settings, embedder)
        assert running.is_dir(), "a generation being built elsewhere stays"
        assert load_index(settings, embedder).generation == gen
    build_index(settings, embedder)
    assert not running.exists(), "once no build holds the lock it is stale and removed"


def _break_pointer(settings: Settings, how: str, tmp_path: Path, gen: str) -> None:
    pointer = settings.index_dir / "CURRENT"
    outside = tmp_path / "outside"
    if how in {"relative-outside", "absolute-outside"}:
        # a complete generation outside index/: it must never be opened
        shutil.copytree(settings.index_dir / gen, outside)
        manifest = json.loads((outside / "manifest.json").read_text(encoding="utf-8"))
        manifest["chunks"] = 999
        (outside / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if how == "missing":
        pointer.unlink()
    elif how == "relative-outside":
        pointer.write_text("../outside\n", encoding="utf-8")
    elif how == "absolute-outside":
        pointer.write_text(f"{outside}\n", encoding="utf-8")
    elif how == "half-built":
        half = settings.index_dir / "g-20991231T235959-abcdef"
        (half / "chroma").mkdir(parents=True)
        pointer.write_text(half.name + "\n", encoding="utf-8")
    elif how == "unknown":
        pointer.write_text("g-gibt-es-nicht\n", encoding="utf-8")
    elif how == "binary":
        pointer.write_bytes(b"\xff\xfe\x00")


BROKEN = ["missing", "relative-outside", "absolute-outside", "half-built", "unknown", "binary"]


@pytest.mark.parametrize("how", BROKEN)
def test_broken_pointer_falls_back_to_newest_complete_generation(
    settings: Settings, corpus: Path, tmp_path: Path, how: str
) -> None:
    embedder = make_embedder("fake")
    older = build_index(settings, embedder).generation
    write(corpus, "neu.md", "# Neu\n\nEin neues Merkblatt.")
    newest = build_index(settings, embedder).generation
    assert generations(settings) == {older, newest}
    _break_pointer(settings, how, tmp_path, newest)

    index = load_index(settings, embedder)
    assert index.generation == newest
    assert index.manifest.chunks == len(index.ids) != 999, "nothing outside index/ is read"

    from bot.answering.assistant import Assistant
    from bot.web.server import ensure_index

    ensure_index(settings)  # the app's start: nothing to build, nothing to crash on
    assert Assistant(settings, embedder).generation == newest

    report = build_index(settings, embedder)  # `bot index` recovers and repairs CURRENT
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip() == newest
    assert generations(settings) == {older, newest}, "only the half-built one is removed"


@pytest.mark.parametrize("how", ["relative-outside", "half-built", "unknown"])
def test_broken_pointer_without_complete_generation_says_rebuild(
    settings: Settings, corpus: Path, tmp_path: Path, how: str
) -> None:
    embedder = make_embedder("fake")
    gen = build_index(settings, embedder).generation
    _break_pointer(settings, how, tmp_path, gen)
    shutil.rmtree(settings.index_dir / gen)
    with pytest.raises(IndexMissing, match="--rebuild"):
        load_index(settings, embedder)
    report = build_index(settings, embedder)  # `bot index` builds a fresh one
    assert report.added == 3
    assert load_index(settings, embedder).generation == report.generation


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` in a new process, with the fake embedder registered."""
    code = "import sys, tests.conftest; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOT_")}
    env |= {"PYTHONPATH": str(ROOT), "BOT_EMBEDDING_MODEL": "fake", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_recovers_from_a_broken_pointer(
    settings: Settings, corpus: Path, tmp_path: Path
) -> None:
    embedder = make_embedder("fake")
    gen = build_index(settings, embedder).generation
    _break_pointer(settings, "relative-outside", tmp_path, gen)
    where = ["--corpus", str(corpus), "--index", str(settings.index_dir)]

    done = _cli(["index", *where], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (settings.index_dir / "CURRENT").read_text(encoding="utf-8").strip() == gen

    shutil.rmtree(settings.index_dir / gen)
    (settings.index_dir / "CURRENT").write_text("../outside\n", encoding="utf-8")
    asked = _cli(
        ["ask", "--index", str(settings.index_dir), "Wie lange dauert der Kurs?"], tmp_path
    )
    assert asked.returncode == 1
    assert "Traceback" not in asked.stderr
    assert "--rebuild" in asked.stderr


def test_cli_disk_full_is_one_line_and_old_index_keeps_serving(
    settings: Settings,
    corpus: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    embedder = make_embedder("fake")
    gen = build_index(settings, embedder).generation

    def full(self: FakeEmbeddings, texts: list[str]) -> list[list[float]]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FakeEmbeddings, "embed_documents", full)
    monkeypatch.setenv("BOT_EMBEDDING_MODEL", "fake")
    args = ["index", "--corpus", str(corpus), "--index", str(settings.index_dir), "--rebuild"]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("Error: "), err
    assert "kein Speicherplatz" in err and "bisherige Index bleibt aktiv" in err
    assert current_generation(settings.index_dir) == gen
    assert generations(settings) == {gen}


def test_chroma_disk_full_error_is_recognised(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured on a full 8 MB tmpfs: Chroma raises its own InternalError, not OSError."""
    import chromadb.errors

    import bot.indexing.build

    embedder = make_embedder("fake")
    gen = build_index(settings, embedder).generation

    def full(*args: object) -> None:
        raise chromadb.errors.InternalError(
            "error returned from database: (code: 13) database or disk is full"
        )

    monkeypatch.setattr(bot.indexing.build, "_add", full)
    with pytest.raises(IndexWriteFailed) as failed:
        build_index(settings, embedder, rebuild=True)
    assert failed.value.disk_full
    assert current_generation(settings.index_dir) == gen
    assert generations(settings) == {gen}
