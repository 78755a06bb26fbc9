"""An update writes only what changed: the new generation reads the unchanged files from the
collections of the generations that wrote them (layers), stays atomic, and serves exactly
what a rebuild would."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.answering.assistant import Assistant
from bot.answering.retrieval import Retriever
from bot.config import Settings
from bot.indexing import build
from bot.indexing.build import build_index, current_generation, load_index, read_manifest
from bot.indexing.format import RANGED_FORMAT, ChunkRange
from bot.store.factory import open_store
from tests.conftest import FakeEmbeddings, list_chunk_ids

TOPICS = [
    "Einbürgerung",
    "Integrationskurs",
    "Schulanmeldung",
    "Kita",
    "Anerkennung",
    "Dolmetscher",
    "Jobcenter",
    "Wohnung",
    "Krankenversicherung",
    "Sprachcafé",
    "Aufenthalt",
    "Beratung",
]


def doc(topic: str, version: int = 0) -> str:
    return (
        f"---\ntitle: {topic}\n---\n# {topic}\n\n## Kosten\n"
        f"Für {topic} zahlen Sie {100 + version} Euro Gebühr.\n\n## Termin\n"
        f"Einen Termin für {topic} bekommen Sie im Kreishaus, Version {version}.\n"
    )


def write(settings: Settings, topic: str, version: int = 0) -> None:
    (settings.corpus_dir / f"{topic.lower()}.md").write_text(doc(topic, version), "utf-8")


@pytest.fixture
def built(settings: Settings) -> Settings:
    for topic in TOPICS:
        write(settings, topic)
    build_index(settings, FakeEmbeddings())
    return settings


def gen_dir(settings: Settings, generation: str | None = None) -> Path:
    return settings.index_dir / (generation or current_generation(settings.index_dir) or "")


def served(settings: Settings) -> dict[str, str]:
    index = load_index(settings, FakeEmbeddings())
    return dict(zip(index.ids, index.texts, strict=True))


def rebuilt(settings: Settings, tmp_path: Path) -> dict[str, str]:
    fresh = settings.model_copy(update={"index_dir": tmp_path / "rebuilt"})
    build_index(fresh, FakeEmbeddings())
    return served(fresh)


def test_one_changed_document_is_all_an_update_writes(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = current_generation(built.index_dir)
    copies: list[int] = []
    original = build._copy
    monkeypatch.setattr(
        build,
        "_copy",
        lambda records, target: (copies.append(len(records)), original(records, target)),
    )
    write(built, "Kita", 1)
    embedder = FakeEmbeddings()
    report = build_index(built, embedder)
    assert report.updated == 1 and report.chunks == 2 * len(TOPICS)
    second = current_generation(built.index_dir)
    assert second != first
    # the changed file's 2 chunks and their 2 answer units, nothing else embedded or copied
    assert embedder.calls == 4
    assert copies == [], "no unchanged record is copied"
    assert open_store(built, second or "").count() == 2, "the new collection holds the change"
    manifest = read_manifest(built.index_dir, second or "")
    assert manifest.format == RANGED_FORMAT and build.layers_of(manifest) == {first}
    assert {e.layer for s, e in manifest.files.items() if s != "kita.md"} == {first}
    assert manifest.files["kita.md"].layer is None


def test_layered_generation_serves_what_a_rebuild_would(built: Settings, tmp_path: Path) -> None:
    write(built, "Kita", 1)
    build_index(built, FakeEmbeddings())
    write(built, "Kita", 2)  # changed twice: the first change is stale in its own layer
    (built.corpus_dir / "jobcenter.md").unlink()
    write(built, "Ausbildung")
    build_index(built, FakeEmbeddings())
    assert build.layers_of(
        read_manifest(built.index_dir, current_generation(built.index_dir) or "")
    )
    now = served(built)
    assert now == rebuilt(built, tmp_path)
    assert not any("Jobcenter" in t for t in now.values())
    assert not any("Version 1" in t or "101 Euro" in t for t in now.values())

    embedder = FakeEmbeddings()
    index = load_index(built, embedder)
    retriever = Retriever(index, embedder)
    for stale in ("Für Kita zahlen Sie 101 Euro Gebühr.", "Für Jobcenter zahlen Sie 100 Euro"):
        vector = embedder.embed_query(stale)
        everything = index.collection.query(vector, 100)
        assert sorted(m.id for m in everything) == sorted(now), "all served, nothing stale"
        hits = retriever.search(stale, "de", k=10).hits
        assert not any("101 Euro" in h.text or "Jobcenter" in h.text for h in hits)
    best = retriever.search("Für Kita zahlen Sie 102 Euro Gebühr.", "de", k=1).hits[0]
    assert "102 Euro" in best.text


def test_answer_units_and_their_centroid_match_a_rebuild(built: Settings, tmp_path: Path) -> None:
    write(built, "Kita", 1)
    (built.corpus_dir / "wohnung.md").unlink()
    build_index(built, FakeEmbeddings())
    layered = read_manifest(built.index_dir, current_generation(built.index_dir) or "")
    fresh = built.model_copy(update={"index_dir": tmp_path / "rebuilt"})
    build_index(fresh, FakeEmbeddings())
    full = read_manifest(fresh.index_dir, current_generation(fresh.index_dir) or "")
    assert build.layers_of(layered) and not build.layers_of(full)
    assert layered.units is not None and full.units is not None
    assert layered.units.count == full.units.count
    assert np.allclose(layered.units.centroid or [], full.units.centroid or [], atol=1e-5)
    units = load_index(built, FakeEmbeddings()).units
    assert units is not None
    kita = [c for c, t in served(built).items() if "Kita" in t]
    texts = {r.text for r in units.get(where={"chunk": kita})}
    assert "Für Kita zahlen Sie 101 Euro Gebühr." in texts
    assert not any("100 Euro" in t for t in texts), "the old version's units are stale"


def test_crash_during_an_update_leaves_the_serving_index_answering(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(built, "Kita", 1)
    build_index(built, FakeEmbeddings())  # a layered generation serves
    serving = current_generation(built.index_dir)
    before = served(built)

    def power_cut(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("killed while writing the manifest")

    write(built, "Kita", 2)
    monkeypatch.setattr(build, "write_manifest_file", power_cut)
    with pytest.raises(KeyboardInterrupt):
        build_index(built, FakeEmbeddings())
    monkeypatch.undo()
    assert current_generation(built.index_dir) == serving
    assert served(built) == before, "the layers it reads were not touched"
    answer = Assistant(built, FakeEmbeddings()).ask("Was kostet die Kita?")
    assert not answer.refused and "101 Euro" in answer.text
    assert sorted(p.name for p in built.index_dir.glob("g-*")) == sorted(
        {serving or "", *build.layers_of(read_manifest(built.index_dir, serving or ""))}
    ), "the half-written generation is gone"
    build_index(built, FakeEmbeddings())
    assert "Für Kita zahlen Sie 102 Euro Gebühr." in served(built).values()


def test_layers_are_kept_while_read_and_compacted_when_stale(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = current_generation(built.index_dir) or ""
    for version in (1, 2):
        write(built, "Kita", version)
        build_index(built, FakeEmbeddings())
    assert (built.index_dir / first).is_dir(), "the first generation still holds most files"
    monkeypatch.setattr(build, "COMPACT_STALE", 0.0)
    write(built, "Kita", 3)
    build_index(built, FakeEmbeddings())
    compacted = current_generation(built.index_dir) or ""
    manifest = read_manifest(built.index_dir, compacted)
    assert manifest.format == RANGED_FORMAT and not build.layers_of(manifest)
    assert open_store(built, compacted).count() == 2 * len(TOPICS)
    write(built, "Kita", 4)
    build_index(built, FakeEmbeddings())
    assert not (built.index_dir / first).exists(), "no longer read by the two kept generations"


def test_too_many_layers_copy_the_small_ones(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "MAX_LAYERS", 2)
    monkeypatch.setattr(build, "COMPACT_STALE", 1.0)  # only the number of layers decides
    first = current_generation(built.index_dir)
    write(built, "Kita", 1)
    build_index(built, FakeEmbeddings())
    copies: list[int] = []
    original = build._copy
    monkeypatch.setattr(
        build,
        "_copy",
        lambda records, target: (copies.append(len(records)), original(records, target)),
    )
    write(built, "Kita", 2)
    write(built, "Wohnung", 1)
    build_index(built, FakeEmbeddings())
    manifest = read_manifest(built.index_dir, current_generation(built.index_dir) or "")
    assert build.layers_of(manifest) == {first}, "one layer besides its own"
    assert copies == [], "the small layer only held Kita, which changed again"
    write(built, "Schulanmeldung", 1)
    build_index(built, FakeEmbeddings())
    # Kita and Wohnung (2 chunks and 2 units each) move out of the previous small layer
    assert sorted(copies) == [4, 4]


def test_manifest_of_a_layered_generation_names_each_files_layer(built: Settings) -> None:
    write(built, "Kita", 1)
    build_index(built, FakeEmbeddings())
    path = gen_dir(built) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == RANGED_FORMAT
    assert "layer" not in data["files"]["kita.md"], "absent for the generation's own files"
    assert data["files"]["kurs.md" if "kurs.md" in data["files"] else "integrationskurs.md"][
        "layer"
    ].startswith("g-")


def chunk_ids_by_file(settings: Settings) -> dict[str, list[str]]:
    """Each served file's chunk ids in chunk order, read from the chunks' own metadata."""
    index = load_index(settings, FakeEmbeddings())
    found: dict[str, list[tuple[int, str]]] = {}
    for cid, meta in zip(index.ids, index.metadatas, strict=True):
        found.setdefault(str(meta["source"]), []).append((int(meta["chunk"]), cid))
    return {source: [cid for _, cid in sorted(pairs)] for source, pairs in found.items()}


def test_chunk_ranges_name_the_ids_a_list_named(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "MAX_LAYERS", 2)  # the third run moves a small layer's files
    write(built, "Kita", 1)
    build_index(built, FakeEmbeddings())
    write(built, "Wohnung", 1)
    build_index(built, FakeEmbeddings())
    generation = current_generation(built.index_dir) or ""
    manifest = read_manifest(built.index_dir, generation)
    assert manifest.format == RANGED_FORMAT and build.layers_of(manifest)
    text = (gen_dir(built) / "manifest.json").read_text(encoding="utf-8")
    assert '"ids"' not in text, "no file lists its chunk ids"
    expected = chunk_ids_by_file(built)
    assert {s: list(e.ids) for s, e in manifest.files.items()} == expected
    assert {s: len(e.ids) for s, e in manifest.files.items()} == {
        s: len(ids) for s, ids in expected.items()
    }

    # the spans serving derives from the ranges are those of the old id lists
    ranged = load_index(built, FakeEmbeddings())
    list_chunk_ids(built.index_dir, generation)
    listed = load_index(built, FakeEmbeddings())
    assert listed.spans is None and ranged.spans is not None
    assert list(ranged.ids) == list(listed.ids)
    assert list(ranged.file_spans()) == list(listed.file_spans())


def test_an_update_after_generations_that_list_chunk_ids(built: Settings, tmp_path: Path) -> None:
    first = current_generation(built.index_dir) or ""
    write(built, "Kita", 1)
    build_index(built, FakeEmbeddings())
    second = current_generation(built.index_dir) or ""
    embedder = FakeEmbeddings()
    before = Retriever(load_index(built, embedder), embedder)
    questions = ["Was kostet die Kita?", "Termin Jobcenter", "Gebühr für die Wohnung"]
    expected = [[(h.id, h.score) for h in before.search(q, "de").hits] for q in questions]
    for generation in (first, second):  # as versions before chunk ranges wrote them
        list_chunk_ids(built.index_dir, generation)
    assert read_manifest(built.index_dir, second).format == 2
    assert read_manifest(built.index_dir, first).format == 1
    old = Retriever(load_index(built, embedder), embedder)
    assert [[(h.id, h.score) for h in old.search(q, "de").hits] for q in questions] == expected

    write(built, "Wohnung", 1)
    report = build_index(built, FakeEmbeddings())
    assert report.updated == 1 and report.chunks == 2 * len(TOPICS)
    manifest = read_manifest(built.index_dir, current_generation(built.index_dir) or "")
    assert manifest.format == RANGED_FORMAT
    assert isinstance(manifest.files["wohnung.md"].ids, ChunkRange)
    assert isinstance(manifest.files["kita.md"].ids, list), "left in its layer as listed"
    assert served(built) == rebuilt(built, tmp_path)
    assert "Für Wohnung zahlen Sie 101 Euro Gebühr." in served(built).values()
