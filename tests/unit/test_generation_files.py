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


def test_start_embeds_no_example_question(built: Settings) -> None:
    """The requests for a person and the out-of-scope examples come from the generation too
    (about 60 question embeddings, 1.5-7 s of a start on 2 busy cores)."""
    from bot.answering.assistant import Assistant
    from bot.answering.retrieval import human_contact_vectors, out_of_scope_vectors

    embedder = FakeEmbeddings()
    assistant = Assistant(built, embedder)
    stored = out_of_scope_vectors(embedder)
    assert embedder.calls == 0 and embedder.queries == 0
    assert np.array_equal(assistant._human, human_contact_vectors(FakeEmbeddings()))
    background._CACHE.clear()
    assert np.array_equal(stored, out_of_scope_vectors(FakeEmbeddings())), "as computed"


def test_file_of_the_previous_writer_is_completed_by_the_next_run(built: Settings) -> None:
    """A background.npz with the background passages only (as the first version wrote it)
    still serves them; the example questions are embedded at start until the next run
    stores them."""
    path = serving_dir(built) / BACKGROUND
    with np.load(path) as stored:
        old = {"vectors": stored["vectors"], "fingerprint": stored["fingerprint"]}
    with open(path, "wb") as handle:
        np.savez(handle, **old)
    embedder = FakeEmbeddings()
    assert load_index(built, embedder).background is not None
    from bot.answering.retrieval import out_of_scope_vectors

    out_of_scope_vectors(embedder)
    assert embedder.queries == len(background.data_lines("out_of_scope.txt"))
    (built.corpus_dir / "a.md").write_text(DOC.format(300), encoding="utf-8")
    build_index(built, FakeEmbeddings())
    background._CACHE.clear()
    fresh = FakeEmbeddings()
    load_index(built, fresh)
    out_of_scope_vectors(fresh)
    assert fresh.queries == 0


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
