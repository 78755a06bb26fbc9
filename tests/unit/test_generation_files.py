"""What a generation stores at build time so that a start does not recompute it."""

from __future__ import annotations

import numpy as np
import pytest

from bot.answering.retrieval import Retriever
from bot.config import Settings
from bot.indexing import background
from bot.indexing.build import BACKGROUND, build_index, load_index
from bot.ingest.units import split_units
from tests.conftest import FakeEmbeddings

DOC = "---\ntitle: Einbürgerung\n---\n# Einbürgerung\n\n## Kosten\nDie Gebühr beträgt {} Euro.\n"


@pytest.fixture
def built(settings: Settings, fake_embedder: FakeEmbeddings) -> Settings:
    (settings.corpus_dir / "a.md").write_text(DOC.format(255), encoding="utf-8")
    build_index(settings, fake_embedder)
    background._CACHE.clear()  # what the build computed is not in a new process
    return settings


@pytest.fixture(autouse=True)
def _no_process_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts like a fresh process: no background vectors cached in memory."""
    monkeypatch.setattr(background, "_CACHE", {})


def serving_dir(settings: Settings):  # noqa: ANN201
    return settings.index_dir / (settings.index_dir / "CURRENT").read_text().strip()


def test_start_does_not_embed_background_passages(built: Settings) -> None:
    embedder = FakeEmbeddings()
    retriever = Retriever(load_index(built, embedder), embedder)
    assert embedder.calls == 0, "a start embeds nothing: the vectors come from the generation"
    expected = background.background_vectors(FakeEmbeddings())
    assert np.array_equal(retriever._background, expected), "the same vectors as computed"


def test_older_generation_without_the_file_still_loads(built: Settings) -> None:
    (serving_dir(built) / BACKGROUND).unlink()
    embedder = FakeEmbeddings()
    index = load_index(built, embedder)
    assert index.background is None
    Retriever(index, embedder)
    assert embedder.calls == len(background.background_passages()), "computed on the fly, as before"


def test_vectors_of_other_passages_are_not_used(
    built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "background_fingerprint", lambda: "other passages")
    assert load_index(built, FakeEmbeddings()).background is None


def test_update_copies_the_vectors_instead_of_embedding_them(built: Settings) -> None:
    before = (serving_dir(built) / BACKGROUND).read_bytes()
    (built.corpus_dir / "a.md").write_text(DOC.format(300), encoding="utf-8")
    embedder = FakeEmbeddings()
    report = build_index(built, embedder)
    # the changed document's chunks and their answer units, no background passage
    units = [u for c in load_index(built, FakeEmbeddings()).texts for u in split_units(c)]
    assert report.embedded_chunks < embedder.calls <= report.embedded_chunks + len(units)
    assert embedder.calls < len(background.background_passages()), (
        "only the changed document was embedded"
    )
    assert (serving_dir(built) / BACKGROUND).read_bytes() == before


def test_rebuild_of_an_old_generation_stores_them(built: Settings) -> None:
    (serving_dir(built) / BACKGROUND).unlink()
    build_index(built, FakeEmbeddings(), rebuild=True)
    assert load_index(built, FakeEmbeddings()).background is not None


def test_start_loads_no_language_models(built: Settings) -> None:
    """`bot ask` and a start pay for the language detector only when a question needs it."""
    from bot import i18n
    from bot.answering.assistant import Assistant

    i18n._detector.cache_clear()
    Assistant(built, FakeEmbeddings())
    assert i18n._detector.cache_info().currsize == 0


def test_load_reads_the_store_in_pages(
    settings: Settings, fake_embedder: FakeEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chromadb refuses one get() of more than 32,766 records; pages keep texts aligned."""
    from bot.store import chroma

    for number in range(3):
        (settings.corpus_dir / f"d{number}.md").write_text(DOC.format(number), encoding="utf-8")
    build_index(settings, fake_embedder)
    whole = load_index(settings, fake_embedder)
    monkeypatch.setattr(chroma, "PAGE", 2)
    paged = load_index(settings, fake_embedder)
    assert len(paged.ids) == len(whole.ids) == 3
    assert sorted(zip(paged.ids, paged.texts, strict=True)) == sorted(
        zip(whole.ids, whole.texts, strict=True)
    )
    assert [m["source"] for m in paged.metadatas] == [
        whole.metadatas[whole.ids.index(i)]["source"] for i in paged.ids
    ]
