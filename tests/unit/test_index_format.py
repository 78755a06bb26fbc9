"""The typed index format reads what earlier versions wrote and writes the same bytes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import (
    IndexProblem,
    build_index,
    current_generation,
    load_index,
    read_manifest,
)
from bot.indexing.format import RANGED_FORMAT, LastRun, Manifest
from bot.indexing.lexical import stored_chunk_ids
from bot.ingest.loaders import LOADER_VERSION
from bot.ingest.units import SEGMENTER_VERSION
from bot.staff.corpus_admin import last_run, list_documents

DATA = Path(__file__).parent / "data" / "index_v1"
OLD_MANIFEST = (DATA / "manifest.json").read_text(encoding="utf-8")
OLD_LAST_RUN = (DATA / "last_run.json").read_text(encoding="utf-8")
FRONT = "---\ntitle: Einbürgerung\nupdated: 2026-10-01\nvalid_until: 2027-06-30\n"


def corpus(corpus_dir: Path) -> None:
    """The corpus the fixture was built from."""
    (corpus_dir / "einbuergerung.md").write_text(
        FRONT + "url: https://www.rhein-sieg-kreis.de/\n---\n# Einbürgerung\n\n## Kosten\n"
        "Die Gebühr beträgt 255 Euro.\n",
        encoding="utf-8",
    )
    (corpus_dir / "kontakt.txt").write_text("Kontakt\n\nKreishaus Siegburg.", encoding="utf-8")
    (corpus_dir / "leer.md").write_text("", encoding="utf-8")


def test_manifest_and_last_run_of_the_old_writer_round_trip_byte_for_byte() -> None:
    manifest = Manifest.from_json(OLD_MANIFEST)
    assert manifest.units is not None and manifest.units.count == 3
    assert manifest.files["einbuergerung.md"].valid_until == "2027-06-30"
    assert manifest.to_json() == OLD_MANIFEST
    run = LastRun.from_json(OLD_LAST_RUN)
    assert [s.source for s in run.skipped] == ["leer.md"]
    assert run.to_json() == OLD_LAST_RUN


def test_manifest_of_a_version_before_units_and_loader_versions_round_trips() -> None:
    data = json.loads(OLD_MANIFEST)
    del data["units"]
    for entry in data["files"].values():
        del entry["loader"]
    data["written_by_a_newer_version"] = {"kept": True}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    manifest = Manifest.from_json(text)
    assert manifest.units is None and manifest.unit_centroid is None
    assert manifest.files["kontakt.txt"].loader is None
    assert manifest.to_json() == text, "absent keys stay absent, unknown keys are kept"


def test_new_writer_writes_what_the_old_one_wrote(settings: Settings, corpus_dir: Path) -> None:
    corpus(corpus_dir)
    build_index(settings, make_embedder("fake"))
    generation = current_generation(settings.index_dir)
    written = (settings.index_dir / generation / "manifest.json").read_text(encoding="utf-8")
    old, new = json.loads(OLD_MANIFEST), json.loads(written)
    for key in ("created", "collection"):  # the time and the generation's name differ
        old[key] = new[key]
    # format 3: a file names its chunks by a range of the generation's stored ids (in the
    # place of the id list), and the range holds exactly the ids the old writer listed
    assert old["format"] == 1 and new["format"] == RANGED_FORMAT
    old["format"] = RANGED_FORMAT
    stored = stored_chunk_ids(settings.index_dir / generation).tolist()
    for source, entry in old["files"].items():
        entry["loader"] = LOADER_VERSION  # a newer loader reads the same files again
        first, size = new["files"][source]["chunks"]
        assert stored[first : first + size] == entry["ids"]
        old["files"][source] = {
            ("chunks" if k == "ids" else k): (new["files"][source]["chunks"] if k == "ids" else v)
            for k, v in entry.items()
        }
    old["units"]["segmenter"] = SEGMENTER_VERSION  # and a newer segmenter cuts the units
    assert written == json.dumps(old, ensure_ascii=False, indent=1)
    manifest = read_manifest(settings.index_dir, generation)
    assert {s: list(e.ids) for s, e in manifest.files.items()} == {
        s: e["ids"] for s, e in json.loads(OLD_MANIFEST)["files"].items()
    }, "read back, the ranges are the old lists"
    run = json.loads((settings.index_dir / "last_run.json").read_text(encoding="utf-8"))
    old_run = json.loads(OLD_LAST_RUN)
    assert list(run) == list(old_run) and run["skipped"] == old_run["skipped"]


def test_index_with_an_old_manifest_loads_and_updates(settings: Settings, corpus_dir: Path) -> None:
    corpus(corpus_dir)
    embedder = make_embedder("fake")
    build_index(settings, embedder)
    generation = current_generation(settings.index_dir)
    data = json.loads(OLD_MANIFEST)
    data["collection"] = f"ki-{generation}"
    for entry in data["files"].values():  # the old format, read by the current loader
        entry["loader"] = LOADER_VERSION
    (settings.index_dir / generation / "manifest.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    shutil.copyfile(DATA / "last_run.json", settings.index_dir / "last_run.json")
    index = load_index(settings, embedder)
    assert index.manifest.created == data["created"] and len(index.ids) == 2
    assert index.manifest.unit_centroid == data["units"]["centroid"]
    rows = {r.name: r for r in list_documents(settings)}
    assert rows["einbuergerung.md"].status == "im Index", "the old entry still stands"
    assert rows["leer.md"].status == "Fehler: Datei ist leer"
    assert last_run(settings).generation == "g-20261125T201338-f06d4d"
    assert build_index(settings, embedder).added == 0, "an unchanged corpus is not re-read"


@pytest.mark.parametrize("text", ["{kaputt", "[]", '{"files": 3}', '{"skipped": [{"x": 1}]}'])
def test_broken_manifest_is_an_index_problem(settings: Settings, text: str) -> None:
    folder = settings.index_dir / "g-1"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    with pytest.raises(IndexProblem, match="corrupt"):
        read_manifest(settings.index_dir, "g-1")


def test_unreadable_last_run_is_an_empty_report(settings: Settings) -> None:
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    (settings.index_dir / "last_run.json").write_text("[1, 2]", encoding="utf-8")
    assert last_run(settings) == LastRun()


def test_a_file_whose_chunks_are_not_stored_together_keeps_its_id_list(tmp_path: Path) -> None:
    from bot.indexing.build import _range_files
    from bot.indexing.format import ChunkRange, Embedding, FileEntry
    from bot.indexing.lexical import write_lexical
    from bot.store.base import Record

    files = {
        "a.md": FileEntry("1", "A", ids=["a0", "a1"]),
        "b.md": FileEntry("2", "B", ids=["b0", "b1"]),
        "leer.md": FileEntry("3", "Leer", ids=[]),
        "alt.md": FileEntry("4", "Alt", ids=["x0"], layer="g-older"),
    }
    manifest = Manifest(RANGED_FORMAT, "0", "", Embedding(), None, "ki-g", None, 4, 7, files)
    stored = ["b0", "b1", "a1", "a0"]  # a store that returned a.md's chunks the other way
    assert write_lexical(tmp_path, [Record(i, "Text", {}) for i in stored]) == stored
    _range_files(manifest, stored, tmp_path)
    assert files["a.md"].ids == ["a0", "a1"] and isinstance(files["a.md"].ids, list)
    b = files["b.md"].ids
    assert isinstance(b, ChunkRange) and (b.first, b.size) == (0, 2) and list(b) == ["b0", "b1"]
    assert len(files["leer.md"].ids) == 0
    assert files["alt.md"].ids == ["x0"], "a file left in its layer keeps what it had"
    again = Manifest.from_json(manifest.to_json())
    assert again.files["a.md"].ids == ["a0", "a1"]
    assert again.files["b.md"].ids == ChunkRange(0, 2)
