"""Client/server mode: the index in a real `chroma run` server on loopback (BOT_CHROMA_URL)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.answering.assistant import Assistant
from bot.config import Settings
from bot.embeddings import make_embedder
from bot.indexing.build import build_index, load_index
from tests.integration.conftest import free_port, write_corpus

pytestmark = pytest.mark.integration


@pytest.fixture
def chroma_url(tmp_path: Path):
    cli = Path(sys.executable).with_name("chroma")
    if not cli.exists() and not shutil.which("chroma"):
        pytest.skip("the chroma command line is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(cli),
            "run",
            "--path",
            str(tmp_path / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("chroma server did not start")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def server_settings(tmp_path: Path, chroma_url: str, corpus: Path) -> Settings:
    """Settings of a test that keeps its vectors in the loopback Chroma server."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        chroma_url=chroma_url,
        embedding_model="intfloat/multilingual-e5-small",
    )


def test_index_and_answer_through_chroma_server(tmp_path: Path, chroma_url: str) -> None:
    settings = server_settings(tmp_path, chroma_url, write_corpus(tmp_path / "corpus"))
    embedder = make_embedder(settings.embedding_model)
    first = build_index(settings, embedder)
    assert first.documents == 4
    assert not (tmp_path / "index" / first.generation / "chroma").exists(), "vectors on the server"
    (settings.corpus_dir / "kurs.md").unlink()
    second = build_index(settings, embedder)
    assert second.removed == 1
    index = load_index(settings, embedder)
    assert {m["source"] for m in index.metadatas} == {"einbuergerung.md", "schule.md", "ukraine.md"}
    answer = Assistant.from_settings(settings).ask("Was kostet die Einbürgerung?")
    assert "255 Euro" in answer.text and answer.sources[0].source == "einbuergerung.md"


def test_update_on_the_server_writes_only_the_changed_document(
    tmp_path: Path, chroma_url: str
) -> None:
    """The new generation's collection on the server holds the changed document; the others
    are read from the first generation's collection, which stays until no generation kept
    reads it."""
    import chromadb

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    topics = ["Kita", "Schule", "Kurs", "Wohnung", "Arbeit", "Arzt", "Pass", "Visum"]
    for topic in topics:
        (corpus / f"{topic.lower()}.md").write_text(
            f"# {topic}\n\n## Kosten\nFür {topic} zahlen Sie 40 Euro.\n", encoding="utf-8"
        )
    settings = server_settings(tmp_path, chroma_url, corpus)
    embedder = make_embedder(settings.embedding_model)
    first = build_index(settings, embedder).generation
    (corpus / "kita.md").write_text("# Kita\n\n## Kosten\nDie Kita kostet 95 Euro.\n", "utf-8")
    second = build_index(settings, embedder).generation
    port = int(chroma_url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port)
    assert client.get_collection(f"ki-{second}").count() == 1
    assert client.get_collection(f"ki-{first}").count() == len(topics)
    index = load_index(settings, embedder)
    assert len(index.ids) == len(topics)
    assert any("95 Euro" in t for t in index.texts)
    assert not any("Für Kita zahlen" in t for t in index.texts)
    answer = Assistant.from_settings(settings).ask("Was kostet die Kita?")
    assert "95 Euro" in answer.text


def test_serving_from_the_server_maps_bm25_and_fetches_only_the_hits(
    tmp_path: Path, chroma_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The serving process holds no chunk texts: BM25 comes from the generation's folder
    (memory-mapped), the texts of a question's hits from the server, also for a layered
    generation whose update replaced a document."""
    from bot.answering.retrieval import Retriever
    from bot.indexing import build
    from bot.indexing.lexical import LEXICAL_DIR
    from bot.store.chroma import ChromaStore

    settings = server_settings(tmp_path, chroma_url, write_corpus(tmp_path / "corpus"))
    for topic in ["Kita", "Schule", "Wohnung", "Arbeit", "Arzt", "Pass", "Visum", "Jobcenter"]:
        (settings.corpus_dir / f"{topic.lower()}.md").write_text(
            f"# {topic}\n\n## Kosten\nFür {topic} zahlen Sie 40 Euro.\n", encoding="utf-8"
        )  # enough unchanged documents that the update stays a layer (no compaction)
    embedder = make_embedder(settings.embedding_model)
    first = build_index(settings, embedder).generation or ""
    (settings.corpus_dir / "kurs.md").write_text(
        "# Sprachkurs\n\n## Kosten\nDer Sprachkurs im Kreishaus kostet jetzt 77 Euro.\n", "utf-8"
    )
    second = build_index(settings, embedder).generation or ""
    for generation in (first, second):
        assert (settings.index_dir / generation / LEXICAL_DIR / "lexical.json").is_file()

    def whole_store(self: ChromaStore, with_vectors: bool = False) -> None:
        raise AssertionError("serving read every record from the server")

    monkeypatch.setattr(build, "PRELOAD_CHUNKS", 0)  # as a large generation
    monkeypatch.setattr(build, "SMALL_LAYER", 0)  # with large layers
    monkeypatch.setattr(ChromaStore, "records", whole_store)
    index = load_index(settings, embedder)
    assert build.layers_of(index.manifest) == {first} and index.preloaded is None
    assert index.spans is not None, "files found by their chunk ranges"
    retriever = Retriever(index, embedder)
    result = retriever.search("Was kostet der Sprachkurs?", "de", k=3)
    assert "77 Euro" in result.hits[0].text and result.hits[0].metadata["source"] == "kurs.md"
    assert "einburger" in retriever.bm25.vocab and "sprachkur" in retriever.bm25.vocab
    best = retriever.search("Was kostet die Einbürgerung?", "de", k=1).hits[0]
    assert "255 Euro" in best.text and best.metadata["source"] == "einbuergerung.md"
